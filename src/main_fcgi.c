/* main_fcgi.c: placeholder until written. */
#include "piraeus.h"
int main(void);
int
main(void)
{
	return 0;
}
