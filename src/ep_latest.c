/* ep_latest.c: placeholder until written. */
#include "piraeus.h"
