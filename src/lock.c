/* lock.c: placeholder until written. */
#include "piraeus.h"
