/* fetch_proxy.c: placeholder until written. */
#include "piraeus.h"
