package dev.flowstage.flow.internal;

import dev.flowstage.flow.Options;
import dev.flowstage.flow.logic.words.ByteChunk;
import dev.flowstage.flow.logic.words.ByteWordCounts;
import dev.flowstage.flow.logic.words.ChunkGroup;
import dev.flowstage.flow.logic.words.FileChunk;
import dev.flowstage.flow.logic.words.WordCountPlan;
import dev.flowstage.flow.plan.Plan;
import dev.flowstage.flow.plan.Plan.Source;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The local engine's side of the file word count fusion ({@link WordCountPlan}, docs/adr/0009):
 * when a run is materialized, each layer {@code fromFiles(...).flatMap(tokenizer).frequencies()}
 * whose files can all be read as bytes is replaced by the byte path's plan. The files are listed
 * and sniffed here exactly as the file source lists them ({@link FileRanges#split}), so the same
 * files are read, skipped and failed on; a gzip file is one chunk, decompressed by the reading
 * stage that takes it ({@link FileChunk#gzip()}). The fusion is declined, and the layer runs as
 * written, when a file is read in a charset the byte path cannot read ({@link
 * ByteWordCounts#supports}, e.g. because its byte order mark says UTF-16), or the files are read in
 * more than one charset.
 */
final class FusedWordCount {
  private FusedWordCount() {}

  /**
   * Returns the plan to run: {@code plan} with each file word count it can fuse replaced.
   *
   * @param plan the flow's last layer
   * @param malformed counts the malformed input sequences the fused readers replace
   * @param skipped counts, per {@code FileSelection.Skip}, what the fused sources' listings left
   *     out
   * @return the plan to build the topology of
   */
  static Plan apply(Plan plan, LongAdder malformed, AtomicLongArray skipped) {
    WordCountPlan.Match m = WordCountPlan.match(plan);
    long[] left = new long[skipped.length()];
    Plan fused = m == null ? null : fuse(m, malformed, left);
    if (fused != null) {
      // What the fused source's listing left out; a plan not fused lists its files again later.
      for (int i = 0; i < left.length; i++) {
        skipped.addAndGet(i, left[i]);
      }
      return fused; // the counting layer and the file source's layer it reads
    }
    Source source = PlanTree.withUpstream(plan.source(), up -> apply(up, malformed, skipped));
    return source == plan.source() ? plan : new Plan(source, plan.operations(), plan.options());
  }

  /**
   * The byte path's plan for a match, or {@code null} when its files cannot all take it.
   *
   * @throws java.io.UncheckedIOException naming a file that cannot be listed or read, as the file
   *     source fails
   */
  private static Plan fuse(WordCountPlan.Match m, LongAdder malformed, long[] skipped) {
    Options o = m.reading();
    Charset declared = Charset.forName(o.charset());
    List<FileRanges.Range> ranges =
        FileRanges.split(
            m.files().paths(),
            o.splitBytes(),
            declared,
            m.files().options(),
            (path, why) -> skipped[why.ordinal()]++);
    Charset charset = null;
    for (FileRanges.Range r : ranges) {
      if (r.stream() || !ByteWordCounts.supports(r.charset())) {
        // A pipe's charset is known only once read: the plan as written reads it.
        return null;
      }
      if (charset == null) {
        charset = r.charset();
      } else if (!charset.equals(r.charset())) {
        return null; // one table holds the words of every file: one charset decodes them
      }
    }
    if (charset == null) {
      if (!ByteWordCounts.supports(declared)) {
        return null;
      }
      charset = declared; // no file has text: any charset counts nothing
    }
    // The ranges of a file cover its text after the byte order mark; chunks re-cut that text into
    // pieces of at most the default chunk size, so the reading stages share a big file evenly.
    List<Path> files = new ArrayList<>();
    List<Integer> marks = new ArrayList<>();
    List<Boolean> gzipped = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    for (FileRanges.Range r : ranges) {
      // A file's first range (a file named twice is read twice); a gzip file has one range.
      if (r.gzip() || r.start() == r.bom()) {
        files.add(r.path());
        marks.add(r.bom());
        gzipped.add(r.gzip());
        // A file read whole has no size to cut by: a gzip file, or one listed at size 0, whose
        // chunk reads it to its end (FileChunk.toEnd).
        sizes.add(r.end() == Long.MAX_VALUE && !r.gzip() ? 0L : r.end());
      } else {
        sizes.set(sizes.size() - 1, r.end()); // the ranges of a file cover it to its listed size
      }
    }
    long chunkBytes = Math.min(o.splitBytes(), FileChunk.DEFAULT_BYTES);
    // Small files' chunks go in groups: one hand-over per group, not per file.
    List<ByteChunk> chunks = new ArrayList<>();
    ChunkGroup.grouped(
            FileChunk.split(files, marks, gzipped, sizes, chunkBytes), chunkBytes, o.stages())
        .forEach(chunks::add);
    return WordCountPlan.fused(m, chunks, charset, o.stages(), malformed);
  }
}
