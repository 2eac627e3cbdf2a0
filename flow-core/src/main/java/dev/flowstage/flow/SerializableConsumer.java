package dev.flowstage.flow;

import java.io.Serializable;

/**
 * A {@link java.util.function.Consumer} that is also {@link Serializable}.
 *
 * <p>Serializable so that a plan holding it can be shipped to a distributed engine; a lambda is
 * written exactly as for the {@code java.util.function} interface it extends.
 *
 * @param <T> the argument type
 */
@FunctionalInterface
public interface SerializableConsumer<T> extends java.util.function.Consumer<T>, Serializable {}
