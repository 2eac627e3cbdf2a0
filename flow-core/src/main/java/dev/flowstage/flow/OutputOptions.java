package dev.flowstage.flow;

import java.nio.charset.Charset;
import java.util.List;
import java.util.Objects;

/**
 * Options of the file output terminals ({@link Flow#writeLines}, {@link Flow#writeCsv}, {@link
 * Flow#writeTo(java.nio.file.Path)}). Immutable: each method returns new options.
 *
 * @param overwrite whether an existing output directory is replaced (default false: it is refused
 *     before the flow starts)
 * @param header CSV only: the first row of every part file; empty for none (default)
 * @param charset the charset name the lines are written in (default UTF-8)
 */
public record OutputOptions(boolean overwrite, List<String> header, String charset) {

  /** Validates the options. */
  public OutputOptions {
    header = List.copyOf(Objects.requireNonNull(header, "header"));
    Objects.requireNonNull(charset, "charset");
    Charset.forName(charset);
  }

  /**
   * Returns the defaults: refuse an existing directory, no CSV header, UTF-8.
   *
   * @return the default options
   */
  public static OutputOptions defaults() {
    return new OutputOptions(false, List.of(), "UTF-8");
  }

  /**
   * Sets whether an existing output directory is replaced, as a whole, once the flow succeeded.
   *
   * @param overwrite true to replace it
   * @return new options
   */
  public OutputOptions overwrite(boolean overwrite) {
    return new OutputOptions(overwrite, header, charset);
  }

  /**
   * Sets the CSV header row of every part file.
   *
   * @param header the column names
   * @return new options
   */
  public OutputOptions header(String... header) {
    return new OutputOptions(overwrite, List.of(header), charset);
  }

  /**
   * Sets the charset of the written files.
   *
   * @param charset the charset
   * @return new options
   */
  public OutputOptions charset(Charset charset) {
    return new OutputOptions(overwrite, header, charset.name());
  }
}
