package dev.flowstage.flow.internal;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.logic.StageLogic;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Test helper: the logic of a flow's last stage, driven without threads. */
final class Logic {
  final StageLogic logic;
  final AtomicLong now = new AtomicLong(1_000);

  private Logic(Flow<?> flow, int index) {
    Topology t = Topology.of(flow.plan());
    this.logic = t.last.logic(index, now::get);
  }

  static Logic of(Flow<?> flow) {
    return new Logic(flow, 0);
  }

  List<Object> events(int input, List<?> batch) {
    List<Object> out = new ArrayList<>();
    logic.events(batch, input, out);
    return out;
  }

  List<Object> events(List<?> batch) {
    return events(0, batch);
  }

  List<Object> inputDone(int input) {
    List<Object> out = new ArrayList<>();
    logic.inputDone(input, out);
    return out;
  }

  List<Object> finish() {
    List<Object> out = new ArrayList<>();
    logic.finish(out);
    return out;
  }

  List<Object> advance(long millis) {
    now.addAndGet(millis);
    List<Object> out = new ArrayList<>();
    logic.timer(now.get(), out);
    return out;
  }
}
