/* ep_index.c: placeholder until written. */
#include "piraeus.h"
