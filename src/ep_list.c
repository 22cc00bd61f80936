/* ep_list.c: placeholder until written. */
#include "piraeus.h"
