package dev.flowstage.flink.job;

import dev.flowstage.flink.FlinkFlows;
import dev.flowstage.flow.Flow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Runs a job's flow on Flink (or locally) and writes its lines, shared by the example jobs. */
final class Jobs {
  private Jobs() {}

  /**
   * Builds the flow with {@code body} over the job's inputs and runs it where {@code args} says. On
   * Flink the lines go to a {@link FileSink} under {@code --output} (part files) or to stdout;
   * locally to {@code --output/part-local}, sorted.
   */
  static void run(String name, JobArgs args, BiFunction<Flow<String>, JobArgs, Flow<String>> body)
      throws Exception {
    if (args.local()) {
      List<Path> paths = new ArrayList<>();
      for (String input : args.inputs()) {
        paths.add(input.startsWith("file:") ? Path.of(java.net.URI.create(input)) : Path.of(input));
      }
      List<String> lines =
          new ArrayList<>(body.apply(Flow.fromFiles(paths, o -> o.stages(1)), args).toList());
      lines.sort(null);
      write(args.output(), lines);
      return;
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    Flow<String> flow = body.apply(FlinkFlows.fromFiles(args.inputs(), o -> o.stages(1)), args);
    DataStream<String> out = FlinkFlows.toDataStream(env, flow);
    if (args.output() == null) {
      out.print();
    } else {
      out.sinkTo(
              FileSink.forRowFormat(
                      new org.apache.flink.core.fs.Path(args.output()),
                      new SimpleStringEncoder<String>())
                  .build())
          .name("output");
    }
    env.execute(name);
  }

  private static void write(String output, List<String> lines) throws IOException {
    if (output == null) {
      lines.forEach(System.out::println);
      return;
    }
    Path dir = Path.of(output);
    Files.createDirectories(dir);
    Files.write(dir.resolve("part-local"), lines);
  }
}
