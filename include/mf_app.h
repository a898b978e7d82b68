/* The program: parses options, starts MPI, runs the master or a worker, decides the exit code. */
#ifndef MPIFACTOR_APP_H
#define MPIFACTOR_APP_H

/* Runs mpifactor with the process's arguments and returns its exit status (MF_EXIT_*). */
int mf_app_main(int argc, char **argv);

#endif
