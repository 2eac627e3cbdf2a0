package dev.flowstage.flow.internal;

import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageKind;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Refusals of running stages of the wrong kind, where a call is made ({@code fromStages}, {@code
 * through}, {@code into}, and a running {@code into}'s {@code subscribe}): a stage's kind never
 * changes, so the run could only fail later. One place, so every refusal reads alike.
 */
public final class StageKinds {
  /** What {@code into} and {@code RunningInto.subscribe} take, for the message. */
  public static final String CONSUMERS =
      "running consumer stages (consumers or producer-consumers, e.g."
          + " StageSystem.startConsumer or a ConsumerSupervisor's stage())";

  private StageKinds() {}

  /**
   * Why a stage of {@code kind} cannot consume a flow's last layer ({@code into}, {@code
   * subscribe}).
   *
   * @param kind the stage's kind
   * @return why it cannot, or {@code null} if it can
   */
  public static String consumerRefusal(StageKind kind) {
    return kind.subscribes()
        ? null
        : "cannot subscribe to this flow; read it with Flow.fromStages(...) instead, or"
            + " use intoConsumers(...) for consumers each run makes";
  }

  /**
   * Refuses the first stage whose kind cannot serve {@code call}.
   *
   * @param call the Flow method called, for the message
   * @param stages the stages given
   * @param need what the call takes, for the message
   * @param refusal why a stage of a kind cannot serve, or {@code null} if it can
   * @throws IllegalArgumentException naming the stage, its kind and why
   */
  public static void check(
      String call,
      List<? extends Stage<?>> stages,
      String need,
      Function<StageKind, String> refusal) {
    for (Stage<?> s : stages) {
      StageKind k = s.kind();
      String why = refusal.apply(k);
      if (why != null) {
        throw new IllegalArgumentException(
            call
                + " needs "
                + need
                + ", but stage "
                + s.name()
                + " is a "
                + k.name().toLowerCase(Locale.ROOT).replace('_', '-')
                + " (Stage.kind() is "
                + k
                + "), which "
                + why);
      }
    }
  }
}
