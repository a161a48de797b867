/**
 * Makes an error without recording a stack trace. For errors a simulation
 * makes by the thousand as answers, not faults — a failed condition, a
 * deferral, a task's timeout — whose name and message are read and whose
 * stack never is: recording one costs more than what raised it.
 */
export function withoutStack<E extends Error>(make: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
