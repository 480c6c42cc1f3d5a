/* Placeholder: replaced by the ecd-sim work (issue 4). */
#include <stdio.h>

int main(void)
{
  fputs("ecd-sim: missing from this build\n", stderr);
  return 2;
}
