package dev.flowstage.test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One configuration a pipeline runs under, and its text form (the {@code config("...")} of a
 * reproduction line). Tokens, separated by spaces:
 *
 * <ul>
 *   <li>{@code L<i>=<stages>[:<maxDemand>/<minDemand>]}: layer {@code i} runs with that many stages
 *       ({@code -} keeps the declared count) and demand bounds (absent: declared);
 *   <li>{@code sources=<n>}: the input is split into {@code n} producers (contiguous chunks);
 *   <li>{@code files=<n>} and {@code split=<bytes>}: file inputs are written as {@code n} files and
 *       read in ranges of that many bytes;
 *   <li>{@code salt=<int>}: partitions route by a salted key hash (which partition gets which group
 *       changes, the grouping does not);
 *   <li>{@code yield}: sources and partition routing yield their thread at random points.
 * </ul>
 *
 * A token left out means the plain setting: declared options, one source, one file, no salt, no
 * yields.
 *
 * @param layers per layer: stages (0 keeps the declared count), maxDemand (0 keeps the declared
 *     demand), minDemand
 * @param sources producers the input is split into
 * @param files files a line input is written to
 * @param split file range size in bytes, or 0 for the default
 * @param salt partition salt, 0 for the production mapping
 * @param yields whether sources and routing yield at random points
 */
record RunConfig(List<Layer> layers, int sources, int files, long split, int salt, boolean yields) {
  /**
   * One layer's settings.
   *
   * @param stages the stage count, or 0 for the declared one
   * @param maxDemand the max demand, or 0 for the declared demand bounds
   * @param minDemand the min demand (with maxDemand)
   */
  record Layer(int stages, int maxDemand, int minDemand) {
    static final Layer DECLARED = new Layer(0, 0, 0);

    @Override
    public String toString() {
      String s = stages == 0 ? "-" : Integer.toString(stages);
      return maxDemand == 0 ? s : s + ":" + maxDemand + "/" + minDemand;
    }
  }

  RunConfig {
    layers = List.copyOf(layers);
  }

  /** The plain configuration: declared options everywhere, nothing perturbed. */
  static RunConfig plain() {
    return new RunConfig(List.of(), 1, 1, 0, 0, false);
  }

  Layer layer(int index) {
    return index < layers.size() ? layers.get(index) : Layer.DECLARED;
  }

  /**
   * A random configuration for a pipeline of {@code layerCount} layers.
   *
   * @param r the randomness
   * @param layerCount the pipeline's layers
   * @param varyStages whether stage counts vary (not for ordered comparisons)
   * @param multiSource whether the input may be split into several sources and files
   * @param files whether the input is read from files (else from enumerables)
   */
  static RunConfig random(
      SplittableRandom r, int layerCount, boolean varyStages, boolean multiSource, boolean files) {
    List<Layer> ls = new ArrayList<>();
    for (int i = 0; i < layerCount; i++) {
      int stages = varyStages ? r.nextInt(1, 5) : 0;
      int max = 0;
      int min = 0;
      if (r.nextInt(4) != 0) {
        max = r.nextInt(3) == 0 ? r.nextInt(1, 4) : r.nextInt(1, 65);
        min = r.nextInt(0, max);
      }
      ls.add(new Layer(stages, max, min));
    }
    int sources = multiSource ? r.nextInt(1, 5) : 1;
    int fileCount = multiSource ? r.nextInt(1, 4) : 1;
    long split = multiSource && r.nextInt(4) != 0 ? r.nextInt(1, 200) : 0;
    // only the settings of the input's kind, so a printed configuration holds no noise
    if (files) {
      sources = 1;
    } else {
      fileCount = 1;
      split = 0;
    }
    int salt = r.nextInt(4) != 0 ? r.nextInt() | 1 : 0;
    return new RunConfig(ls, sources, fileCount, split, salt, r.nextBoolean());
  }

  /**
   * Simpler configurations, most simplifying first; each changes one setting. Every candidate is
   * smaller in one measure (fewer overrides, stages, sources, files, or a smaller max demand), so
   * shrinking ends.
   */
  List<RunConfig> shrinks() {
    List<RunConfig> out = new ArrayList<>();
    if (yields) {
      out.add(new RunConfig(layers, sources, files, split, salt, false));
    }
    if (salt != 0) {
      out.add(new RunConfig(layers, sources, files, split, 0, yields));
    }
    if (sources > 1) {
      out.add(new RunConfig(layers, 1, files, split, salt, yields));
      if (sources > 2) {
        out.add(new RunConfig(layers, sources - 1, files, split, salt, yields));
      }
    }
    if (files > 1) {
      out.add(new RunConfig(layers, sources, 1, split, salt, yields));
    }
    if (split != 0) {
      out.add(new RunConfig(layers, sources, files, 0, salt, yields));
    }
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      if (l.maxDemand() != 0) {
        out.add(withLayer(i, new Layer(l.stages(), 0, 0)));
        // smaller batches spread few events over more stages, so the input can shrink further
        if (l.maxDemand() > 1) {
          out.add(withLayer(i, new Layer(l.stages(), 1, 0)));
        }
      }
      if (l.stages() > 1) {
        out.add(withLayer(i, new Layer(1, l.maxDemand(), l.minDemand())));
        if (l.stages() > 2) {
          out.add(withLayer(i, new Layer(l.stages() - 1, l.maxDemand(), l.minDemand())));
        }
      }
    }
    return out;
  }

  private RunConfig withLayer(int i, Layer l) {
    List<Layer> ls = new ArrayList<>(layers);
    ls.set(i, l);
    return new RunConfig(ls, sources, files, split, salt, yields);
  }

  @Override
  public String toString() {
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      if (!layers.get(i).equals(Layer.DECLARED)) {
        tokens.add("L" + i + "=" + layers.get(i));
      }
    }
    if (sources != 1) {
      tokens.add("sources=" + sources);
    }
    if (files != 1) {
      tokens.add("files=" + files);
    }
    if (split != 0) {
      tokens.add("split=" + split);
    }
    if (salt != 0) {
      tokens.add("salt=" + salt);
    }
    if (yields) {
      tokens.add("yield");
    }
    return String.join(" ", tokens);
  }

  /**
   * Parses the text form.
   *
   * @param text the configuration, as printed by {@link #toString()}
   * @return the configuration
   * @throws IllegalArgumentException naming the token that does not parse
   */
  static RunConfig parse(String text) {
    List<Layer> ls = new ArrayList<>();
    int sources = 1;
    int files = 1;
    long split = 0;
    int salt = 0;
    boolean yields = false;
    for (String token : text.strip().split("\\s+")) {
      if (token.isEmpty()) {
        continue;
      }
      try {
        if (token.equals("yield")) {
          yields = true;
        } else if (token.startsWith("sources=")) {
          sources = positive(Integer.parseInt(token.substring(8)));
        } else if (token.startsWith("files=")) {
          files = positive(Integer.parseInt(token.substring(6)));
        } else if (token.startsWith("split=")) {
          split = Long.parseLong(token.substring(6));
        } else if (token.startsWith("salt=")) {
          salt = Integer.parseInt(token.substring(5));
        } else if (token.startsWith("L") && token.indexOf('=') > 1) {
          int eq = token.indexOf('=');
          int index = Integer.parseInt(token.substring(1, eq));
          String v = token.substring(eq + 1);
          int colon = v.indexOf(':');
          String st = colon < 0 ? v : v.substring(0, colon);
          int stages = st.equals("-") ? 0 : positive(Integer.parseInt(st));
          int max = 0;
          int min = 0;
          if (colon >= 0) {
            String[] d = v.substring(colon + 1).split("/");
            max = positive(Integer.parseInt(d[0]));
            min = Integer.parseInt(d[1]);
            if (min < 0 || min >= max) {
              throw new IllegalArgumentException("min demand must be in [0, max)");
            }
          }
          while (ls.size() <= index) {
            ls.add(Layer.DECLARED);
          }
          ls.set(index, new Layer(stages, max, min));
        } else {
          throw new IllegalArgumentException("unknown setting");
        }
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "cannot read config token '"
                + token
                + "' ("
                + e.getMessage()
                + "); paste the config(...) of a FlowCheck failure, e.g. \"L0=2:5/1 L1=3 salt=7"
                + " yield\"",
            e);
      }
    }
    return new RunConfig(ls, sources, files, split, salt, yields);
  }

  private static int positive(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("must be at least 1");
    }
    return n;
  }
}
