package dev.flowstage.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.examples.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every listed example runs to its end through {@code flowstage example NAME}. */
final class ExamplesTest {

  static Stream<String> names() {
    return Examples.all().stream().map(Examples.Example::name);
  }

  @ParameterizedTest
  @MethodSource("names")
  void flowstageExample_runsToItsEndWithANarrative(String name) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(new PrintWriter(out), new PrintWriter(err), "example", name);
    assertEquals(0, status, err.toString());
    assertEquals("", err.toString());
    assertTrue(out.toString().lines().count() >= 3, out.toString());
  }
}
