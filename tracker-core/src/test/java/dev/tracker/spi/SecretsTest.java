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

  @Test
  void aUriWhosePasswordEndsItsAuthorityEarlyIsRedactedUpToItsLastAt() {
    assertThat(Secrets.redactUri("https://alice:pa/ss@host")).isEqualTo("https://***@host");
    assertThat(Secrets.redactUri("http://alice:pa ss@host:5000/x")).isEqualTo(
        "http://***@host:5000/x");
    assertThat(Secrets.redactUri("http://alice:p?ss@host")).isEqualTo("http://***@host");
    assertThat(Secrets.redactUri("http://alice:s3cret@host/a@b")).isEqualTo(
        "http://***@host/a@b");
    assertThat(Secrets.redactUri("http://host:5000/a@b")).isEqualTo("http://host:5000/a@b");
    assertThat(Secrets.redactUri("file:./runs@2")).isEqualTo("file:./runs@2");
    assertThat(Secrets.redactUri(null)).isNull();
  }
}
