/* ep_catalog.c: placeholder until written. */
#include "piraeus.h"
