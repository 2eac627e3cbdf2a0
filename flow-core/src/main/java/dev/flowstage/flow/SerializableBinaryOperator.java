package dev.flowstage.flow;

import java.io.Serializable;

/**
 * A {@link java.util.function.BinaryOperator} that is also {@link Serializable}: the combiner of
 * {@link Flow#reduce(SerializableSupplier, SerializableBiFunction, SerializableBinaryOperator)}.
 *
 * @param <T> the operand and result type
 */
@FunctionalInterface
public interface SerializableBinaryOperator<T>
    extends java.util.function.BinaryOperator<T>, Serializable {}
