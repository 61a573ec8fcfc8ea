package newswatch.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.KeywordAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.TextField;
import org.apache.lucene.monitor.MatcherFactory;
import org.apache.lucene.monitor.MatchingQueries;
import org.apache.lucene.monitor.Monitor;
import org.apache.lucene.monitor.MonitorQuery;
import org.apache.lucene.monitor.MultipassTermFilteredPresearcher;
import org.apache.lucene.monitor.ParallelMatcher;
import org.apache.lucene.monitor.PartitionMatcher;
import org.apache.lucene.monitor.Presearcher;
import org.apache.lucene.monitor.QueryMatch;
import org.apache.lucene.monitor.TermFilteredPresearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.Version;

/**
 * Peer benchmark: registers the bench's topics as standing queries in a Lucene {@link Monitor}
 * and matches every article against them, one article at a time.
 *
 * <p>Usage: {@code LuceneMonitorBench <input.json> <output.json> [--presearcher=P]
 * [--matcher=M]}, where P is {@code term} (default) or {@code multipass:PASSES:MIN_WEIGHT} and M
 * is {@code simple} (default, the calling thread), {@code parallel:THREADS} or {@code
 * partition:THREADS}. Formats are in README.md.
 */
public final class LuceneMonitorBench {

  static final String LUCENE_VERSION = "10.3.0";
  static final String[] FIELDS = {"title", "body", "author"};
  static final int REGISTER_BATCH = 10_000;

  record Topic(String id, QueryTranslator.Node query) {}

  record Article(String id, String title, String body, String author) {}

  record Input(List<Topic> topics, List<Article> articles, int warmupPasses) {}

  /**
   * One configuration of the Monitor: the presearcher ({@code passes} 1 is the plain {@link
   * TermFilteredPresearcher}) and how candidates are matched ({@code threads} 0 is the calling
   * thread).
   */
  record Config(String presearcher, int passes, float minWeight, String matcher, int threads) {

    static Config parse(List<String> options) {
      String presearcher = "term";
      String matcher = "simple";
      for (String o : options) {
        if (o.startsWith("--presearcher=")) presearcher = o.substring("--presearcher=".length());
        else if (o.startsWith("--matcher=")) matcher = o.substring("--matcher=".length());
        else throw new IllegalArgumentException("unknown option: " + o);
      }
      String[] p = presearcher.split(":");
      String[] m = matcher.split(":");
      int passes;
      float minWeight = 0;
      switch (p[0]) {
        case "term" -> {
          if (p.length != 1) throw new IllegalArgumentException("--presearcher=term takes no parameters");
          passes = 1;
        }
        case "multipass" -> {
          if (p.length != 3) throw new IllegalArgumentException("--presearcher=multipass:PASSES:MIN_WEIGHT");
          passes = Integer.parseInt(p[1]);
          minWeight = Float.parseFloat(p[2]);
          if (passes < 2) throw new IllegalArgumentException("multipass needs 2 or more passes");
        }
        default -> throw new IllegalArgumentException("unknown presearcher: " + p[0]);
      }
      int threads;
      switch (m[0]) {
        case "simple" -> {
          if (m.length != 1) throw new IllegalArgumentException("--matcher=simple takes no parameters");
          threads = 0;
        }
        case "parallel", "partition" -> {
          if (m.length != 2) throw new IllegalArgumentException("--matcher=" + m[0] + ":THREADS");
          threads = Integer.parseInt(m[1]);
          if (threads < 1) throw new IllegalArgumentException("THREADS must be 1 or more");
        }
        default -> throw new IllegalArgumentException("unknown matcher: " + m[0]);
      }
      return new Config(p[0], passes, minWeight, m[0], threads);
    }

    Presearcher newPresearcher() {
      return passes == 1
          ? new TermFilteredPresearcher()
          : new MultipassTermFilteredPresearcher(
              passes, minWeight, TermFilteredPresearcher.DEFAULT_WEIGHTOR, List.of(), Set.of());
    }

    String describe() {
      String p = passes == 1 ? presearcher : presearcher + ":" + passes + ":" + minWeight;
      return threads == 0 ? p : p + " " + matcher + ":" + threads;
    }

    MatcherFactory<QueryMatch> matcherFactory(ExecutorService executor) {
      return switch (matcher) {
        case "parallel" -> ParallelMatcher.factory(executor, QueryMatch.SIMPLE_MATCHER, threads);
        case "partition" -> PartitionMatcher.factory(executor, QueryMatch.SIMPLE_MATCHER, threads);
        default -> QueryMatch.SIMPLE_MATCHER;
      };
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println(
          "usage: LuceneMonitorBench <input.json> <output.json> [--presearcher=term|multipass:PASSES:MIN_WEIGHT]"
              + " [--matcher=simple|parallel:THREADS|partition:THREADS]");
      System.exit(2);
    }
    Config config = Config.parse(Arrays.asList(args).subList(2, args.length));
    if (!Version.LATEST.toString().equals(LUCENE_VERSION)) {
      System.err.println("warning: running against Lucene " + Version.LATEST);
    }
    ObjectMapper mapper = new ObjectMapper();
    Input input = readInput(mapper, Path.of(args[0]));
    List<Topic> topics = input.topics();
    List<Article> articles = input.articles();

    Analyzer analyzer = analyzer();
    QueryTranslator translator = new QueryTranslator(analyzer);
    // Default MonitorConfiguration: queries indexed in a ByteBuffersDirectory (memory only).
    Monitor monitor = new Monitor(analyzer, config.newPresearcher());
    // Worker threads live for the whole run, as a server's pool would; none for "simple".
    ExecutorService executor =
        config.threads() == 0
            ? null
            : Executors.newFixedThreadPool(
                config.threads(),
                r -> {
                  Thread t = new Thread(r, "matcher");
                  t.setDaemon(true);
                  return t;
                });
    MatcherFactory<QueryMatch> matcher = config.matcherFactory(executor);

    // ---- build ----------------------------------------------------------------------------
    long heapBefore = usedHeapAfterGc();
    List<Map<String, String>> failed = new ArrayList<>();
    long buildStart = System.nanoTime();
    List<MonitorQuery> batch = new ArrayList<>(REGISTER_BATCH);
    for (Topic t : topics) {
      Query q;
      try {
        q = translator.build(t.query());
      } catch (RuntimeException e) {
        failed.add(failure(t.id(), e));
        continue;
      }
      batch.add(new MonitorQuery(t.id(), q));
      if (batch.size() == REGISTER_BATCH) {
        register(monitor, batch, failed);
        batch = new ArrayList<>(REGISTER_BATCH);
      }
    }
    register(monitor, batch, failed);
    batch = null;
    double buildMs = (System.nanoTime() - buildStart) / 1e6;
    long heapAfter = usedHeapAfterGc();
    // The topic records were live at both measurements; keep them so until here.
    Reference.reachabilityFence(topics);
    double heapMB = (heapAfter - heapBefore) / (1024.0 * 1024.0);
    int registered = monitor.getQueryCount();
    int topicCount = topics.size();
    topics = null;

    // ---- match ----------------------------------------------------------------------------
    for (int pass = 0; pass < input.warmupPasses(); pass++) {
      for (Article a : articles) monitor.match(document(a), matcher);
    }
    int m = articles.size();
    double[] times = new double[m];
    int[] queriesRun = new int[m];
    List<List<String>> matches = new ArrayList<>(m);
    int matchErrors = 0;
    List<Map<String, String>> matchErrorSamples = new ArrayList<>();
    long passStart = System.nanoTime();
    for (int i = 0; i < m; i++) {
      Article a = articles.get(i);
      long t0 = System.nanoTime();
      Document doc = document(a);
      MatchingQueries<QueryMatch> r = monitor.match(doc, matcher);
      long t1 = System.nanoTime();
      times[i] = (t1 - t0) / 1e6;
      queriesRun[i] = r.getQueriesRun();
      List<String> ids = new ArrayList<>(r.getMatchCount());
      for (QueryMatch qm : r.getMatches()) ids.add(qm.getQueryId());
      ids.sort(null);
      matches.add(ids);
      if (!r.getErrors().isEmpty()) {
        matchErrors += r.getErrors().size();
        for (Map.Entry<String, Exception> e : r.getErrors().entrySet()) {
          if (matchErrorSamples.size() >= 20) break;
          Map<String, String> s = failure(e.getKey(), e.getValue());
          s.put("article", a.id());
          matchErrorSamples.add(s);
        }
      }
    }
    double passMs = (System.nanoTime() - passStart) / 1e6;
    monitor.close();
    if (executor != null) executor.shutdown();

    double p50 = quantile(times, 0.5);
    double p99 = quantile(times, 0.99);
    double perSecond = m == 0 ? 0 : m / (passMs / 1000.0);

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("java", System.getProperty("java.version"));
    out.put("vm", System.getProperty("java.vm.name"));
    out.put("lucene", Version.LATEST.toString());
    out.put("presearcher", config.presearcher());
    out.put("passes", config.passes());
    out.put("minWeight", config.minWeight());
    out.put("matcher", config.matcher());
    out.put("threads", config.threads());
    out.put("topics", registered);
    out.put("failed", failed);
    out.put("buildMs", buildMs);
    out.put("heapMB", heapMB);
    out.put("warmupPasses", input.warmupPasses());
    out.put("articles", m);
    out.put("times", times);
    out.put("queriesRun", queriesRun);
    out.put("matches", matches);
    out.put("p50", p50);
    out.put("p99", p99);
    out.put("articlesPerSecond", perSecond);
    out.put("matchErrors", matchErrors);
    out.put("matchErrorSamples", matchErrorSamples);
    mapper.writer().with(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(args[1]).toFile(), out);

    double meanRun = Arrays.stream(queriesRun).average().orElse(0);
    long totalMatches = matches.stream().mapToLong(List::size).sum();
    System.err.printf(
        "lucene-monitor %s %s: %d/%d topics registered (%d failed), build %.0f ms, heap %.1f MB;"
            + " %d articles (%d warm-up passes): p50 %.3f ms, p99 %.3f ms, %.1f articles/s,"
            + " %.1f queries run/article, %.2f matches/article%s%n",
        Version.LATEST,
        config.describe(),
        registered,
        topicCount,
        failed.size(),
        buildMs,
        heapMB,
        m,
        input.warmupPasses(),
        p50,
        p99,
        perSecond,
        meanRun,
        m == 0 ? 0.0 : (double) totalMatches / m,
        matchErrors == 0 ? "" : ", " + matchErrors + " match errors");
  }

  /** Registers a batch; if the batch is refused, registers its queries one by one. */
  private static void register(Monitor monitor, List<MonitorQuery> batch, List<Map<String, String>> failed)
      throws IOException {
    if (batch.isEmpty()) return;
    try {
      monitor.register(batch);
    } catch (RuntimeException | IOException batchError) {
      for (MonitorQuery q : batch) {
        try {
          monitor.register(q);
        } catch (RuntimeException | IOException e) {
          failed.add(failure(q.getId(), e));
        }
      }
    }
  }

  private static Map<String, String> failure(String id, Exception e) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("id", id);
    f.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
    return f;
  }

  /** Same definition as the TypeScript bench: sorted[min(n - 1, floor(q * n))]. */
  static double quantile(double[] xs, double q) {
    if (xs.length == 0) return 0;
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.floor(q * s.length))];
  }

  static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  // ---- documents and analysis -----------------------------------------------------------------

  /** One article as a Lucene document: each field stemmed and exact, same text. */
  static Document document(Article a) {
    Document doc = new Document();
    addField(doc, "title", a.title());
    addField(doc, "body", a.body());
    addField(doc, "author", a.author());
    return doc;
  }

  private static void addField(Document doc, String name, String text) {
    if (text == null) return;
    doc.add(new TextField(name, text, Field.Store.NO));
    doc.add(new TextField(name + "_exact", text, Field.Store.NO));
  }

  /** {@code title|body|author}: stemmed; {@code *_exact}: folded but not stemmed. */
  static Analyzer analyzer() {
    Map<String, Analyzer> perField = new LinkedHashMap<>();
    Analyzer exact = new FieldAnalyzer(false);
    for (String f : FIELDS) perField.put(f + "_exact", exact);
    return new PerFieldAnalyzerWrapper(new FieldAnalyzer(true), perField);
  }

  /**
   * StandardTokenizer → LowerCaseFilter → ASCIIFoldingFilter → EnglishPossessiveFilter, then (if
   * stemming) PorterStemFilter on tokens of more than two letters a–z only.
   */
  static final class FieldAnalyzer extends Analyzer {
    private final boolean stem;

    FieldAnalyzer(boolean stem) {
      this.stem = stem;
    }

    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
      StandardTokenizer source = new StandardTokenizer();
      TokenStream ts = new LowerCaseFilter(source);
      ts = new ASCIIFoldingFilter(ts);
      ts = new EnglishPossessiveFilter(ts);
      if (stem) {
        ts = new StemOnlyWordsFilter(ts);
        ts = new PorterStemFilter(ts);
      }
      return new TokenStreamComponents(source, ts);
    }

    @Override
    protected TokenStream normalize(String fieldName, TokenStream in) {
      return new ASCIIFoldingFilter(new LowerCaseFilter(in));
    }
  }

  /** Marks as keywords (not to be stemmed) tokens that are not 3+ letters a–z. */
  static final class StemOnlyWordsFilter extends TokenFilter {
    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private final KeywordAttribute keyword = addAttribute(KeywordAttribute.class);

    StemOnlyWordsFilter(TokenStream in) {
      super(in);
    }

    @Override
    public boolean incrementToken() throws IOException {
      if (!input.incrementToken()) return false;
      int len = term.length();
      boolean word = len > 2;
      char[] buf = term.buffer();
      for (int i = 0; word && i < len; i++) {
        char c = buf[i];
        word = c >= 'a' && c <= 'z';
      }
      if (!word) keyword.setKeyword(true);
      return true;
    }
  }

  // ---- input ----------------------------------------------------------------------------------

  static Input readInput(ObjectMapper mapper, Path path) throws IOException {
    List<Topic> topics = new ArrayList<>();
    List<Article> articles = new ArrayList<>();
    int warmupPasses = 1;
    try (JsonParser p = mapper.createParser(Files.newInputStream(path))) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("input is not a JSON object");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "topics" -> {
            expectArray(p, value, name);
            while (p.nextToken() != JsonToken.END_ARRAY) {
              JsonNode t = p.readValueAsTree();
              String id = t.path("id").asText();
              topics.add(new Topic(id, toNode(t.get("query"))));
            }
          }
          case "articles" -> {
            expectArray(p, value, name);
            while (p.nextToken() != JsonToken.END_ARRAY) {
              JsonNode a = p.readValueAsTree();
              articles.add(
                  new Article(a.path("id").asText(), text(a, "title"), text(a, "body"), text(a, "author")));
            }
          }
          case "warmupPasses" -> warmupPasses = p.getValueAsInt(1);
          default -> p.skipChildren();
        }
      }
    }
    return new Input(topics, articles, warmupPasses);
  }

  private static void expectArray(JsonParser p, JsonToken t, String name) throws IOException {
    if (t != JsonToken.START_ARRAY) throw new IOException("\"" + name + "\" is not an array");
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** Reads one query node into the translator's small records; problems become Invalid nodes. */
  static QueryTranslator.Node toNode(JsonNode j) {
    if (j == null || !j.isObject()) return new QueryTranslator.Invalid("query node is not an object");
    String type = text(j, "type");
    if (type == null) return new QueryTranslator.Invalid("query node without type");
    switch (type) {
      case "term", "phrase", "prefix" -> {
        String field = text(j, "field");
        String text = text(j, "text");
        if (field == null || text == null)
          return new QueryTranslator.Invalid(type + " node needs field and text");
        return new QueryTranslator.Leaf(type.intern(), field.intern(), text);
      }
      case "and", "or" -> {
        JsonNode cs = j.get("children");
        if (cs == null || !cs.isArray()) return new QueryTranslator.Invalid(type + " node needs children");
        List<QueryTranslator.Node> children = new ArrayList<>(cs.size());
        for (JsonNode c : cs) children.add(toNode(c));
        return type.equals("and") ? new QueryTranslator.And(children) : new QueryTranslator.Or(children);
      }
      case "not" -> {
        return new QueryTranslator.Not(toNode(j.get("child")));
      }
      case "near" -> {
        JsonNode d = j.get("distance");
        if (d == null || !d.canConvertToInt()) return new QueryTranslator.Invalid("near node needs distance");
        return new QueryTranslator.Near(
            d.asInt(), j.path("ordered").asBoolean(false), toNode(j.get("left")), toNode(j.get("right")));
      }
      default -> {
        return new QueryTranslator.Invalid("unknown node type: " + type);
      }
    }
  }
}
