import dev.kotune.engine.*;
import dev.kotune.tokenization.KoTokenizer;
import java.nio.file.*;
import java.util.*;

/**
 * Checks an export of a model fine-tuned on the notebook's four pairs: greedy exact match ending at EOS, and the
 * notebook's sampling (seeds 0..19) with and without no_repeat_ngram_size. Run by sweep.sh (single-file source,
 * on the CLI jar's classpath).
 */
public class TeachingEval {
  public static void main(String[] a) throws Exception {
    Path model = Path.of(a[0]);
    String[][] pairs = {
      {"안녕하세요?", " 안녕하세요! 무엇을 도와드릴까요?"},
      {"오늘 날씨 어때?", " 오늘은 맑고 따뜻한 날씨가 예상됩니다."},
      {"배고파", " 맛있는 음식을 드셔 보세요. 든든한 한 끼가 힘이 됩니다."},
      {"잠이 안 와", " 따뜻한 우유를 마시고 편안하게 쉬어 보세요."}};
    KoTokenizer tok = KoTokenizer.load(model.resolve("tokenizer.json"));
    int greedyOk = 0; StringBuilder sb = new StringBuilder();
    int[] sampledOk = new int[4]; int[] sampledOkNoNgram = new int[4];
    try (OnnxModel m = OnnxModel.load(model, EngineOptions.defaults())) {
      for (int i = 0; i < 4; i++) {
        int[] p = tok.encodeIds("질문: " + pairs[i][0] + "\n답변:");
        GenerationResult g = m.generate(List.of(p), SamplingParams.builder().maxLength(64).build(), ids -> tok.decode(ids, true), null).get(0);
        boolean ok = g.text().equals(pairs[i][1]) && g.finishReason() == FinishReason.EOS;
        if (ok) greedyOk++;
        System.out.println("greedy " + i + " " + ok + " [" + g.finishReason() + "] " + g.text());
        for (int s = 0; s < 20; s++) {
          GenerationResult r = m.generate(List.of(p), SamplingParams.notebook().toBuilder().seed((long) s).build(), ids -> tok.decode(ids, true), null).get(0);
          if (r.text().equals(pairs[i][1])) sampledOk[i]++;
          else if (s < 2) System.out.println("   sample miss s=" + s + ": " + r.text());
          GenerationResult r2 = m.generate(List.of(p), SamplingParams.notebook().toBuilder().noRepeatNgramSize(0).seed((long) s).build(), ids -> tok.decode(ids, true), null).get(0);
          if (r2.text().equals(pairs[i][1])) sampledOkNoNgram[i]++;
        }
      }
    }
    System.out.println("RESULT greedy " + greedyOk + "/4 sampled% " + Arrays.toString(Arrays.stream(sampledOk).map(x -> x * 5).toArray())
        + " sampled%(no ngram ban) " + Arrays.toString(Arrays.stream(sampledOkNoNgram).map(x -> x * 5).toArray()));
  }
}
