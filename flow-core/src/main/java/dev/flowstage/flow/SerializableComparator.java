package dev.flowstage.flow;

import java.io.Serializable;

/**
 * A {@link java.util.Comparator} that is also {@link Serializable}.
 *
 * <p>Serializable so that a plan holding it can be shipped to a distributed engine; a lambda is
 * written exactly as for the {@code java.util.function} interface it extends.
 *
 * @param <T> the compared type
 */
@FunctionalInterface
public interface SerializableComparator<T> extends java.util.Comparator<T>, Serializable {}
