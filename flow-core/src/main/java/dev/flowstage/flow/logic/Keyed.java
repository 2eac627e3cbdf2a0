package dev.flowstage.flow.logic;

import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableBinaryOperator;
import dev.flowstage.flow.SerializableComparator;
import dev.flowstage.flow.SerializableFunction;
import dev.flowstage.flow.SerializableSupplier;
import dev.flowstage.flow.Trigger;
import dev.flowstage.flow.TriggerResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-stage steps of the keyed aggregations ({@code Flow.countBy}, {@code reduceByKey}, {@code
 * aggregateByKey}): folding one event into a stage's table, merging two partial tables, and turning
 * a table into the entries a trigger emits. {@code Flow} compiles each keyed aggregation into a
 * partition by key, a combining reduce made of these steps and an {@code onTrigger} emitting the
 * entries, so every engine runs them through its ordinary reduce (and pre-reduces upstream of the
 * partition where a combining reduce does).
 */
public final class Keyed {
  private Keyed() {}

  /**
   * Returns the key of {@code event}, rejecting {@code null} with a message naming the operation.
   *
   * @param key the key function
   * @param event the event
   * @param what the operation, for the message
   * @return the key
   * @throws NullPointerException if the key is {@code null}
   */
  public static Object keyOf(SerializableFunction<Object, Object> key, Object event, String what) {
    Object k = key.apply(event);
    if (k == null) {
      throw new NullPointerException(
          what.equals("frequencies")
              ? "frequencies cannot count a null event: map null events to a value first"
              : what + " key returned null for " + event + ": map null keys to a value first");
    }
    return k;
  }

  /**
   * Folds one event into a {@code reduceByKey} table: its value, merged with the key's value so
   * far.
   *
   * @param table the stage's table
   * @param key the key function
   * @param value the value function
   * @param merge merges two values of one key
   * @param event the event
   * @return the table
   */
  public static HashMap<Object, Object> reduceInto(
      HashMap<Object, Object> table,
      SerializableFunction<Object, Object> key,
      SerializableFunction<Object, Object> value,
      SerializableBinaryOperator<Object> merge,
      Object event) {
    Object k = keyOf(key, event, "reduceByKey");
    Object v = value.apply(event);
    if (v == null) {
      throw new NullPointerException("reduceByKey value returned null for " + event);
    }
    Object old = table.get(k);
    table.put(k, old == null ? v : merged(merge, old, v, "reduceByKey"));
    return table;
  }

  /**
   * Folds one event into an {@code aggregateByKey} table: into the key's accumulator, made with
   * {@code init} for a new key.
   *
   * @param table the stage's table
   * @param key the key function
   * @param init a fresh accumulator
   * @param add folds one event into an accumulator
   * @param event the event
   * @return the table
   */
  public static HashMap<Object, Object> aggregateInto(
      HashMap<Object, Object> table,
      SerializableFunction<Object, Object> key,
      SerializableSupplier<Object> init,
      SerializableBiFunction<Object, Object, Object> add,
      Object event) {
    Object k = keyOf(key, event, "aggregateByKey");
    Object acc = table.get(k);
    if (acc == null) {
      acc = init.get();
      if (acc == null) {
        throw new NullPointerException("aggregateByKey init returned null");
      }
    }
    Object next = add.apply(acc, event);
    if (next == null) {
      throw new NullPointerException("aggregateByKey add returned null for " + event);
    }
    table.put(k, next);
    return table;
  }

  /**
   * Merges two partial tables: values of a key in both are merged with {@code merge}. The smaller
   * table is merged into the larger, which is returned (the other must not be used afterwards).
   *
   * @param a a table
   * @param b another table
   * @param merge merges two values of one key (associative and commutative)
   * @param what the operation, for the message
   * @return {@code a} or {@code b}, holding the merged values
   */
  public static HashMap<Object, Object> mergeTables(
      HashMap<Object, Object> a,
      HashMap<Object, Object> b,
      SerializableBinaryOperator<Object> merge,
      String what) {
    HashMap<Object, Object> into = a.size() >= b.size() ? a : b;
    HashMap<Object, Object> from = into == a ? b : a;
    for (Map.Entry<Object, Object> e : from.entrySet()) {
      Object old = into.get(e.getKey());
      into.put(e.getKey(), old == null ? e.getValue() : merged(merge, old, e.getValue(), what));
    }
    return into;
  }

  /**
   * The entries a trigger emits for a table: one immutable {@code Map.Entry} per key. At a trigger
   * after which the window goes on, each value is a snapshot (as a reduce's accumulator is), so the
   * emitted entries never change while the window keeps folding into its values.
   *
   * @param table the stage's table
   * @param trigger the trigger
   * @param <K> the key type
   * @param <V> the value type
   * @return the entries
   */
  @SuppressWarnings("unchecked")
  public static <K, V> List<Map.Entry<K, V>> entries(Map<Object, Object> table, Trigger trigger) {
    boolean done = trigger.isDone();
    List<Map.Entry<K, V>> out = new ArrayList<>(table.size());
    for (Map.Entry<Object, Object> e : table.entrySet()) {
      Object v = done ? e.getValue() : Snapshots.of(e.getValue(), trigger.name());
      out.add(Map.entry((K) e.getKey(), (V) v));
    }
    return out;
  }

  /**
   * The {@code onTrigger} step a keyed aggregation ends with, marked with the operation's name so
   * that a user's {@code onTrigger} right after it is refused with a message that says what to do
   * instead ({@link #onTriggerAfter}), not the generic "once per reduce".
   *
   * @param what the keyed operation ({@code countBy}, {@code reduceByKey}, ...)
   * @param fn emits the table's entries at each trigger
   * @param <A> the table type
   * @param <R> the entry type
   */
  public record Emit<A, R>(String what, SerializableBiFunction<A, Trigger, TriggerResult<R, A>> fn)
      implements SerializableBiFunction<A, Trigger, TriggerResult<R, A>> {
    @Override
    public TriggerResult<R, A> apply(A table, Trigger trigger) {
      return fn.apply(table, trigger);
    }
  }

  /**
   * A keyed aggregation's trigger step followed by a per-stage {@code takeSort}: each stage emits
   * one sorted list of the {@code n} smallest entries it emits at that trigger, instead of every
   * entry. The one-stage merge after it then ranks {@code stages x n} entries, not one per key, so
   * the only serial part of {@code countBy(...).takeSort(n, ...)} is that small merge. The top
   * {@code n} of the lists' union is the top {@code n} of all entries, as before.
   *
   * @param keyed the keyed aggregation's trigger step
   * @param n how many to keep
   * @param comparator the order (smallest first)
   */
  public record Ranked(Emit<Object, Object> keyed, int n, SerializableComparator<Object> comparator)
      implements SerializableBiFunction<Object, Trigger, TriggerResult<Object, Object>> {
    @Override
    public TriggerResult<Object, Object> apply(Object table, Trigger trigger) {
      TriggerResult<Object, Object> r = keyed.apply(table, trigger);
      TopN top = new TopN(n, comparator);
      top.addAll(r.events());
      List<Object> sorted = top.sorted();
      return TriggerResult.of(sorted.isEmpty() ? List.of() : List.of(sorted), r.accumulator());
    }
  }

  /**
   * The message refusing an {@code onTrigger} directly after the keyed aggregation {@code what}.
   *
   * @param what the keyed operation
   * @return the message
   */
  public static String onTriggerAfter(String what) {
    return "onTrigger(...) cannot follow "
        + what
        + "(...): it already emits one entry per key at each trigger. Transform those entries with"
        + " map/flatMap/filter, or (to choose per pane what to emit and what to keep) write the"
        + " aggregation out as partition(o -> o.key(key)).reduce(init, reducer, combiner)"
        + ".onTrigger(...)";
  }

  private static Object merged(
      SerializableBinaryOperator<Object> merge, Object a, Object b, String what) {
    Object m = merge.apply(a, b);
    if (m == null) {
      throw new NullPointerException(what + " merge returned null for " + a + " and " + b);
    }
    return m;
  }
}
