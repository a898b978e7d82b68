/* Entry point of mpifactor. */
#include "mf_app.h"

int main(int argc, char **argv)
{
    return mf_app_main(argc, argv);
}
