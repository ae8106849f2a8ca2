package dev.tracker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void parsesObjectsArraysAndScalarsInOrder() {
    Object v = Json.parse(" {\"b\": [1, -2.5, 3e2, true, false, null], \"a\": {\"x\": \"y\"}} ");

    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("b", Arrays.asList(1L, -2.5, 300.0, true, false, null));
    expected.put("a", Map.of("x", "y"));
    assertThat(v).isEqualTo(expected);
    assertThat(List.copyOf(((Map<?, ?>) v).keySet())).isEqualTo(List.of("b", "a"));
  }

  @Test
  void keepsLongIntegersExactAndReadsHugeOnesAsDoubles() {
    assertThat(Json.parse("1700000000123")).isEqualTo(1_700_000_000_123L);
    assertThat(Json.parse("12345678901234567890")).isEqualTo(1.2345678901234567e19);
  }

  @Test
  void decodesEscapes() {
    assertThat(Json.parse("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\"")).isEqualTo("a\"b\\c/d\n\té");
  }

  @Test
  void quoteIsTheInverseOfParse() {
    String s = "tab\tquote\"back\\slash\u0001é";

    assertThat(Json.parse(Json.quote(s))).isEqualTo(s);
  }

  @Test
  void parsesEmptyContainers() {
    assertThat(Json.parse("{}")).isEqualTo(Map.of());
    assertThat(Json.parse("[ ]")).isEqualTo(List.of());
  }

  @Test
  void rejectsTrailingText() {
    assertThatThrownBy(() -> Json.parse("{} x"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("Expected end of input at offset 3 but was 'x'");
  }

  @Test
  void rejectsAMissingComma() {
    assertThatThrownBy(() -> Json.parse("[1 2]"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("Expected ',' or ']' at offset 3 but was '2'");
  }

  @Test
  void rejectsAnUnterminatedString() {
    assertThatThrownBy(() -> Json.parse("\"abc"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("Expected a closing '\"' at offset 4 but was end of input");
  }

  @Test
  void rejectsABareWord() {
    assertThatThrownBy(() -> Json.parse("{\"a\": nope}"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("Expected 'null' at offset 6 but was 'n'");
  }
}
