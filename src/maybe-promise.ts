// Values that are often ready at once (cache hits) and sometimes a promise (misses). Hot paths chain them
// without turning every hit into a promise.
export type MaybePromise<T> = T | Promise<T>;

/** f(value) now if the value is ready, else once it resolves. */
export function andThen<T, R>(value: MaybePromise<T>, f: (v: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(f) : f(value);
}
