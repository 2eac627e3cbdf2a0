package dev.flowstage.examples.cli;

/** A minimal JSON writer for the few flat objects {@code wordcount --json} prints. */
final class Json {
  private final StringBuilder out = new StringBuilder();
  private boolean first = true;

  Json beginObject() {
    comma();
    out.append('{');
    first = true;
    return this;
  }

  /** Starts an object as the value of field {@code name}. */
  Json beginObject(String name) {
    name(name);
    out.append('{');
    first = true;
    return this;
  }

  Json endObject() {
    out.append('}');
    first = false;
    return this;
  }

  Json beginArray(String name) {
    name(name);
    out.append('[');
    first = true;
    return this;
  }

  Json endArray() {
    out.append(']');
    first = false;
    return this;
  }

  Json field(String name, long value) {
    name(name);
    out.append(value);
    first = false;
    return this;
  }

  Json field(String name, String value) {
    name(name);
    string(value);
    first = false;
    return this;
  }

  private void name(String name) {
    comma();
    string(name);
    out.append(':');
  }

  private void comma() {
    if (!first) {
      out.append(',');
    }
  }

  private void string(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
