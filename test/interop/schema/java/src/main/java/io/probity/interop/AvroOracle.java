package io.probity.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;

/**
 * The reference Apache Avro library as a test oracle for @probity/schema.
 * One JSON request per stdin line, one JSON answer per stdout line:
 *   {"op":"canonical","schema":"..."}                  -> {"canonical":"...","fingerprint":"<16 hex, little-endian>","fingerprint64":"<signed long>"}
 *   {"op":"decode","schemas":["..."],"reader":"...","bytes":"<hex>"} -> {"json":"<Avro JSON encoding under the reader schema>"}
 *   {"op":"encode","schema":"...","json":"<Avro JSON encoding>"}     -> {"bytes":"<hex single-object encoding>"}
 * Failures answer {"error":"..."} and the loop goes on.
 */
public final class AvroOracle {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      ObjectNode answer = MAPPER.createObjectNode();
      try {
        JsonNode request = MAPPER.readTree(line);
        switch (request.get("op").asText()) {
          case "canonical" -> canonical(request, answer);
          case "decode" -> decode(request, answer);
          case "encode" -> encode(request, answer);
          default -> answer.put("error", "unknown op");
        }
      } catch (Exception e) {
        answer.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
      }
      out.println(MAPPER.writeValueAsString(answer));
    }
  }

  private static Schema parse(String text) {
    return new Schema.Parser().parse(text);
  }

  private static void canonical(JsonNode request, ObjectNode answer) throws Exception {
    Schema schema = parse(request.get("schema").asText());
    answer.put("canonical", SchemaNormalization.toParsingForm(schema));
    answer.put("fingerprint", HEX.formatHex(SchemaNormalization.parsingFingerprint("CRC-64-AVRO", schema)));
    answer.put("fingerprint64", Long.toString(SchemaNormalization.parsingFingerprint64(schema)));
  }

  private static void decode(JsonNode request, ObjectNode answer) throws Exception {
    SchemaStore.Cache store = new SchemaStore.Cache();
    for (JsonNode writer : request.get("schemas")) store.addSchema(parse(writer.asText()));
    Schema reader = parse(request.get("reader").asText());
    BinaryMessageDecoder<GenericRecord> decoder = new BinaryMessageDecoder<>(GenericData.get(), reader, store);
    GenericRecord record = decoder.decode(HEX.parseHex(request.get("bytes").asText()));
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    JsonEncoder encoder = EncoderFactory.get().jsonEncoder(reader, json);
    new GenericDatumWriter<GenericRecord>(reader).write(record, encoder);
    encoder.flush();
    answer.put("json", json.toString(StandardCharsets.UTF_8));
  }

  private static void encode(JsonNode request, ObjectNode answer) throws Exception {
    Schema schema = parse(request.get("schema").asText());
    GenericRecord record = new GenericDatumReader<GenericRecord>(schema)
        .read(null, DecoderFactory.get().jsonDecoder(schema, request.get("json").asText()));
    ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record);
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    answer.put("bytes", HEX.formatHex(bytes));
  }
}
