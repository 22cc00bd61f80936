/* ep_artifact.c: placeholder until written. */
#include "piraeus.h"
