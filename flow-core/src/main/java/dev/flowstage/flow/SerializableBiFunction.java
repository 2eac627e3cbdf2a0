package dev.flowstage.flow;

import java.io.Serializable;

/**
 * A {@link java.util.function.BiFunction} that is also {@link Serializable}.
 *
 * <p>Serializable so that a plan holding it can be shipped to a distributed engine; a lambda is
 * written exactly as for the {@code java.util.function} interface it extends.
 *
 * @param <T> the first argument type
 * @param <U> the second argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface SerializableBiFunction<T, U, R>
    extends java.util.function.BiFunction<T, U, R>, Serializable {}
