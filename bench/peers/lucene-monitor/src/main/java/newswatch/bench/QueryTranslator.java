package newswatch.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.Term;
import org.apache.lucene.queries.spans.FieldMaskingSpanQuery;
import org.apache.lucene.queries.spans.SpanMultiTermQueryWrapper;
import org.apache.lucene.queries.spans.SpanNearQuery;
import org.apache.lucene.queries.spans.SpanOrQuery;
import org.apache.lucene.queries.spans.SpanQuery;
import org.apache.lucene.queries.spans.SpanTermQuery;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/**
 * Turns the bench's query trees into Lucene queries over the fields written by {@link
 * LuceneMonitorBench#document}: {@code title|body|author} (stemmed) and {@code *_exact}
 * (unstemmed). See README.md for the mapping.
 */
final class QueryTranslator {

  /** One node of a topic's query tree, as read from the input file. */
  sealed interface Node {}

  /** A term, phrase or prefix leaf. */
  record Leaf(String type, String field, String text) implements Node {}

  record And(List<Node> children) implements Node {}

  record Or(List<Node> children) implements Node {}

  record Not(Node child) implements Node {}

  record Near(int distance, boolean ordered, Node left, Node right) implements Node {}

  /** A node that could not be read; building the topic fails with this message. */
  record Invalid(String message) implements Node {}

  private static final List<String> ANY = List.of("title", "body");

  private final Analyzer analyzer;

  QueryTranslator(Analyzer analyzer) {
    this.analyzer = analyzer;
  }

  Query build(Node node) {
    return switch (node) {
      case Leaf leaf -> leaf(leaf);
      case And and -> and(and);
      case Or or -> or(or);
      case Not not -> {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        b.add(new MatchAllDocsQuery(), Occur.MUST);
        b.add(build(not.child()), Occur.MUST_NOT);
        yield b.build();
      }
      case Near near -> near(near);
      case Invalid invalid -> throw new IllegalArgumentException(invalid.message());
    };
  }

  private Query and(And and) {
    if (and.children().isEmpty()) throw new IllegalArgumentException("\"and\" without children");
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    boolean positive = false;
    for (Node child : and.children()) {
      if (child instanceof Not not) {
        b.add(build(not.child()), Occur.MUST_NOT);
      } else {
        b.add(build(child), Occur.MUST);
        positive = true;
      }
    }
    if (!positive) b.add(new MatchAllDocsQuery(), Occur.MUST);
    return b.build();
  }

  private Query or(Or or) {
    if (or.children().isEmpty()) throw new IllegalArgumentException("\"or\" without children");
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    for (Node child : or.children()) b.add(build(child), Occur.SHOULD);
    return b.build();
  }

  // ---- leaves -----------------------------------------------------------------------------

  private static List<String> fieldsOf(String field) {
    return switch (field) {
      case "any" -> ANY;
      case "title", "body", "author" -> List.of(field);
      default -> throw new IllegalArgumentException("unknown field: " + field);
    };
  }

  private Query leaf(Leaf leaf) {
    List<String> fields = fieldsOf(leaf.field());
    if (fields.size() == 1) return leafIn(leaf, fields.get(0));
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    for (String f : fields) b.add(leafIn(leaf, f), Occur.SHOULD);
    return b.build();
  }

  /** The leaf in one concrete field (title, body or author). */
  private Query leafIn(Leaf leaf, String field) {
    switch (leaf.type()) {
      case "term" -> {
        return termsQuery(field, analyse(field, leaf.text()));
      }
      case "phrase" -> {
        String exact = field + "_exact";
        return termsQuery(exact, analyse(exact, leaf.text()));
      }
      case "prefix" -> {
        String exact = field + "_exact";
        String prefix = normalize(exact, leaf.text());
        if (prefix.isEmpty()) return new MatchNoDocsQuery("empty prefix");
        return new PrefixQuery(new Term(exact, prefix));
      }
      default -> throw new IllegalArgumentException("unknown leaf type: " + leaf.type());
    }
  }

  /** Zero tokens: nothing; one: a term; several: an exact phrase (slop 0). */
  private static Query termsQuery(String field, List<String> tokens) {
    if (tokens.isEmpty()) return new MatchNoDocsQuery("no tokens");
    if (tokens.size() == 1) return new TermQuery(new Term(field, tokens.get(0)));
    return new PhraseQuery(field, tokens.toArray(new String[0]));
  }

  // ---- NEAR -------------------------------------------------------------------------------

  private Query near(Near near) {
    if (near.distance() < 0) throw new IllegalArgumentException("negative NEAR distance");
    // The concrete fields every leaf of both operands can be in.
    Set<String> fields = new LinkedHashSet<>(List.of("title", "body", "author"));
    restrictFields(near.left(), fields);
    restrictFields(near.right(), fields);
    List<Query> perField = new ArrayList<>();
    for (String f : fields) {
      SpanQuery left = span(near.left(), f);
      SpanQuery right = span(near.right(), f);
      if (left == null || right == null) continue; // an operand with no words matches nothing
      // Ordered spans never overlap. An unordered NEAR is both orders, each ordered, so that
      // two operands on the same word are one occurrence, not two words near each other.
      perField.add(new SpanNearQuery(new SpanQuery[] {left, right}, near.distance(), true));
      if (!near.ordered())
        perField.add(new SpanNearQuery(new SpanQuery[] {right, left}, near.distance(), true));
    }
    if (perField.isEmpty()) return new MatchNoDocsQuery("NEAR has no field or no words");
    if (perField.size() == 1) return perField.get(0);
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    for (Query q : perField) b.add(q, Occur.SHOULD);
    return b.build();
  }

  private static void restrictFields(Node operand, Set<String> fields) {
    switch (operand) {
      case Leaf leaf -> fields.retainAll(fieldsOf(leaf.field()));
      case Or or -> {
        if (or.children().isEmpty()) throw new IllegalArgumentException("\"or\" without children");
        for (Node c : or.children()) restrictFields(c, fields);
      }
      case Invalid invalid -> throw new IllegalArgumentException(invalid.message());
      default ->
          throw new IllegalArgumentException(
              "NEAR operands must be term, phrase, prefix or an \"or\" of them");
    }
  }

  /**
   * The operand as a span query on the stemmed field {@code field}; exact-field spans are masked
   * to that name so they can be combined. Null when the operand has no words.
   */
  private SpanQuery span(Node operand, String field) {
    switch (operand) {
      case Leaf leaf -> {
        return switch (leaf.type()) {
          case "term" -> spanSequence(field, analyse(field, leaf.text()));
          case "phrase" -> {
            String exact = field + "_exact";
            SpanQuery q = spanSequence(exact, analyse(exact, leaf.text()));
            yield q == null ? null : new FieldMaskingSpanQuery(q, field);
          }
          case "prefix" -> {
            String exact = field + "_exact";
            String prefix = normalize(exact, leaf.text());
            if (prefix.isEmpty()) yield null;
            yield new FieldMaskingSpanQuery(
                new SpanMultiTermQueryWrapper<>(new PrefixQuery(new Term(exact, prefix))), field);
          }
          default -> throw new IllegalArgumentException("unknown leaf type: " + leaf.type());
        };
      }
      case Or or -> {
        List<SpanQuery> parts = new ArrayList<>();
        for (Node c : or.children()) {
          SpanQuery s = span(c, field);
          if (s != null) parts.add(s);
        }
        if (parts.isEmpty()) return null;
        if (parts.size() == 1) return parts.get(0);
        return new SpanOrQuery(parts.toArray(new SpanQuery[0]));
      }
      default ->
          throw new IllegalArgumentException(
              "NEAR operands must be term, phrase, prefix or an \"or\" of them");
    }
  }

  private static SpanQuery spanSequence(String field, List<String> tokens) {
    if (tokens.isEmpty()) return null;
    if (tokens.size() == 1) return new SpanTermQuery(new Term(field, tokens.get(0)));
    SpanQuery[] clauses = new SpanQuery[tokens.size()];
    for (int i = 0; i < clauses.length; i++) clauses[i] = new SpanTermQuery(new Term(field, tokens.get(i)));
    return new SpanNearQuery(clauses, 0, true);
  }

  // ---- analysis ---------------------------------------------------------------------------

  private List<String> analyse(String field, String text) {
    if (text == null) throw new IllegalArgumentException("leaf without text");
    List<String> out = new ArrayList<>(2);
    try (TokenStream ts = analyzer.tokenStream(field, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) out.add(term.toString());
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private String normalize(String field, String text) {
    if (text == null) throw new IllegalArgumentException("leaf without text");
    BytesRef b = analyzer.normalize(field, text);
    return b.utf8ToString();
  }
}
