package dev.tracker.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretsTest {
  @Test
  void userInfoOfEveryUriIsRedacted() {
    assertThat(Secrets.redact("posting to https://alice:s3cret@dagshub.com/a/b.mlflow failed,"
        + " then http://tok3n@host:5000/api"))
        .isEqualTo("posting to https://***@dagshub.com/a/b.mlflow failed,"
            + " then http://***@host:5000/api");
  }

  @Test
  void aPasswordWithAnUnencodedAtIsRedactedWhole() {
    assertThat(Secrets.redact("URI must name a host but was 'http://carol:p@ss@localhost:5000/x@y'"))
        .isEqualTo("URI must name a host but was 'http://***@localhost:5000/x@y'");
  }

  @Test
  void textWithoutUserInfoIsUnchanged() {
    assertThat(Secrets.redact("file:./runs and http://host:5000/a@b")).isEqualTo(
        "file:./runs and http://host:5000/a@b");
    assertThat(Secrets.redact(null)).isNull();
  }
}
