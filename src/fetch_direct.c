/* fetch_direct.c: placeholder until written. */
#include "piraeus.h"
