/* fetch.c: placeholder until written. */
#include "piraeus.h"
