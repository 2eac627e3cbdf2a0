package dev.flowstage.flow.plan;

import dev.flowstage.flow.Options;
import dev.flowstage.flow.Window;
import dev.flowstage.flow.plan.Plan.Operation;
import dev.flowstage.flow.plan.Plan.Source;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.List;

/**
 * Checks that every function of a plan can be serialized, as a distributed engine (Flink) must ship
 * them to its workers: a lambda that captures something not serializable fails here naming the Flow
 * operation, the function's declaring class and the captured class, instead of failing at job
 * submission with a message about an internal array. {@code Flow.checkSerializable()} calls it, so
 * a plain unit test finds the problem without Flink.
 */
public final class PlanSerialization {
  private PlanSerialization() {}

  /**
   * Serializes every function of {@code p} and its upstream layers, one at a time.
   *
   * @param p the plan
   * @throws IllegalStateException naming the first function that cannot be serialized, where it was
   *     declared, and what it captures that is not {@link Serializable}
   */
  public static void check(Plan p) {
    switch (p.source()) {
      case Source.Layer l -> {
        for (Plan up : l.upstream()) {
          check(up);
        }
        components(l.routing(), "partition");
      }
      case Source.Departition d -> {
        check(d.upstream());
        components(d, "departition");
      }
      case Source.Zip z -> {
        check(z.left());
        check(z.right());
        components(z, "zip");
      }
      case Source.Join j -> {
        check(j.left());
        check(j.right());
        components(j, "join");
      }
      case Source.Through t -> check(t.upstream()); // its stages are rejected by the backend
      case Source.Enumerables e -> {}
      case Source.Files f -> {}
      case Source.Stages s -> {}
    }
    Options o = p.options();
    function(o.key(), "the key option of partition");
    function(o.hash(), "the hash option of partition");
    Window w = o.window();
    components(w, "window " + w.kind().name().toLowerCase(java.util.Locale.ROOT));
    List<Operation> ops = p.operations();
    for (int i = 0; i < ops.size(); i++) {
      Operation op = ops.get(i);
      components(op, operationName(op) + " (operation " + (i + 1) + " of its layer)");
    }
  }

  /** The Flow method that adds {@code op}: {@code FlatMap} is {@code flatMap}. */
  static String operationName(Operation op) {
    String n = op.getClass().getSimpleName();
    return Character.toLowerCase(n.charAt(0)) + n.substring(1);
  }

  /** Checks each function-valued record component of {@code r} (plans are checked on their own). */
  private static void components(Object r, String what) {
    if (!(r instanceof Record)) {
      return;
    }
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      Object value;
      try {
        value = c.getAccessor().invoke(r);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + c + " of " + r.getClass(), e);
      }
      if (value instanceof Window || value instanceof Window.Triggers) {
        // A join's window, a window's triggers: their functions are checked too.
        components(value, "the " + c.getName() + " of " + what);
        continue;
      }
      if (value == null
          || value instanceof Plan
          || value instanceof List<?>
          || value instanceof Enum<?>
          || value instanceof Number
          || value instanceof String) {
        continue;
      }
      function(value, "the " + c.getName() + " of " + what);
    }
  }

  private static void function(Object fn, String what) {
    if (fn == null) {
      return;
    }
    try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
      out.writeObject(fn);
    } catch (NotSerializableException e) {
      throw new IllegalStateException(
          "Flow "
              + what
              + " is not serializable, so it cannot be shipped to a distributed engine such as"
              + " Flink: "
              + declaredIn(fn)
              + " captures an instance of "
              + e.getMessage()
              + ", which does not implement java.io.Serializable. Make that class Serializable,"
              + " capture only the serializable values the function needs (copy them into local"
              + " variables first), or create the object inside the function.");
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "Flow "
              + what
              + " is not serializable, so it cannot be shipped to a distributed engine such as"
              + " Flink: serializing "
              + declaredIn(fn)
              + " failed with "
              + e,
          e);
    }
  }

  /** The function's class, and for a lambda the method that implements it. */
  private static String declaredIn(Object fn) {
    Class<?> c = fn.getClass();
    if (c.isSynthetic() || c.isHidden()) {
      try {
        Method replace = c.getDeclaredMethod("writeReplace");
        replace.setAccessible(true);
        if (replace.invoke(fn) instanceof SerializedLambda l) {
          return "the lambda "
              + l.getImplClass().replace('/', '.')
              + "."
              + l.getImplMethodName()
              + " (declared in "
              + l.getCapturingClass().replace('/', '.')
              + ")";
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        // The declaring module does not open the lambda to us: its class name must do.
      }
      return "the lambda " + c.getName();
    }
    return "the function " + c.getName();
  }
}
