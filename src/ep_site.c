/* ep_site.c: placeholder until written. */
#include "piraeus.h"
