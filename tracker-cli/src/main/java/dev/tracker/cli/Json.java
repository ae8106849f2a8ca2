package dev.tracker.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * The {@code --format json} output, written with Jackson: maps, lists, strings, numbers, booleans
 * and null, pretty-printed with two spaces ({@code "key": value}, one element per line, {@code {}}
 * and {@code []} when empty). Doubles are written as {@link Values#exact} writes them (50.0 is
 * {@code 50}); non-finite ones as the strings "NaN", "Infinity" and "-Infinity", as MLflow's REST
 * API writes them. U+2028 and U+2029 are escaped, so the text is also a JavaScript literal.
 */
final class Json {
  private static final ObjectWriter WRITER = writer();

  private Json() {}

  /** The JSON text of {@code value}, ending with a newline. */
  static String write(Object value) {
    try {
      return WRITER.writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + value.getClass().getName()
          + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static ObjectWriter writer() {
    SimpleModule numbers = new SimpleModule("tracker-cli-numbers");
    numbers.addSerializer(Double.class, new DoubleSerializer());
    numbers.addSerializer(Double.TYPE, new DoubleSerializer());
    ObjectMapper mapper = new ObjectMapper().registerModule(numbers);
    mapper.getFactory().setCharacterEscapes(new LineSeparatorEscapes());
    DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
        .withObjectEmptySeparator("")
        .withArrayEmptySeparator(""));
    printer.indentObjectsWith(indenter);
    printer.indentArraysWith(indenter);
    return mapper.writer(printer);
  }

  /** A double as {@link Values#exact} writes it; a string when it is not finite. */
  private static final class DoubleSerializer extends StdSerializer<Double> {
    private static final long serialVersionUID = 1L;

    DoubleSerializer() {
      super(Double.class);
    }

    @Override
    public void serialize(Double value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      if (Double.isFinite(value)) {
        gen.writeNumber(Values.exact(value));
      } else {
        gen.writeString(Values.exact(value));
      }
    }
  }

  /** Jackson's standard escapes, plus U+2028 and U+2029. */
  private static final class LineSeparatorEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private static final int[] ASCII = standardAsciiEscapesForJSON();

    @Override
    public int[] getEscapeCodesForAscii() {
      return ASCII;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return ch == 0x2028 || ch == 0x2029
          ? new SerializedString(String.format("\\u%04x", ch)) : null;
    }
  }
}
