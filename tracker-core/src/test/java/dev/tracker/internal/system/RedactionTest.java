package dev.tracker.internal.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedactionTest {
  @Test
  void jvmArgumentsWithSecretLookingNamesHaveTheirValuesMasked() {
    String args = Redaction.jvmArguments(List.of(
        "-Xmx4g",
        "-Dapi.key=abc123",
        "-Dmlflow.token=dapi-XYZ",
        "--password=hunter2",
        "-DDB_PASSWORD=p@ss=word",
        "-Dclient.Secret=s3",
        "-Djavax.net.ssl.keyStorePassword=changeit",
        "-Dfile.encoding=UTF-8",
        "-XX:+UseG1GC"));

    assertThat(args).isEqualTo("-Xmx4g -Dapi.key=*** -Dmlflow.token=*** --password=***"
        + " -DDB_PASSWORD=*** -Dclient.Secret=*** -Djavax.net.ssl.keyStorePassword=***"
        + " -Dfile.encoding=UTF-8 -XX:+UseG1GC");
    assertThat(args).doesNotContain("abc123", "dapi-XYZ", "hunter2", "p@ss", "s3", "changeit");
  }

  @Test
  void secretPairsInsideAnArgumentAreMaskedAndTheRestKept() {
    assertThat(Redaction.jvmArgument("-javaagent:/opt/agent.jar=mode=fast,authToken=t0k,port=1"))
        .isEqualTo("-javaagent:/opt/agent.jar=mode=fast,authToken=***,port=1");
  }

  @Test
  void userInfoInUrlsInsideArgumentsIsMasked() {
    assertThat(Redaction.jvmArgument("-Dtracker.uri=https://bob:pw@mlflow.example.com"))
        .isEqualTo("-Dtracker.uri=https://***@mlflow.example.com");
  }

  @Test
  void argumentsWithoutSecretsStayAsTheyAre() {
    assertThat(Redaction.jvmArgument("-agentlib:jdwp=transport=dt_socket,server=y"))
        .isEqualTo("-agentlib:jdwp=transport=dt_socket,server=y");
    assertThat(Redaction.jvmArgument("-Dsecret")).isEqualTo("-Dsecret");
  }

  @Test
  void repositoryUrlsLoseTheirUserInfo() {
    assertThat(Redaction.stripUserInfo("https://user:ghp_token@github.com/org/repo.git"))
        .isEqualTo("https://github.com/org/repo.git");
    assertThat(Redaction.stripUserInfo("https://oauth2:p@ss@gitlab.com/org/repo"))
        .isEqualTo("https://gitlab.com/org/repo");
    assertThat(Redaction.stripUserInfo("ssh://git@github.com/org/repo.git"))
        .isEqualTo("ssh://github.com/org/repo.git");
    assertThat(Redaction.stripUserInfo("https://token@host")).isEqualTo("https://host");
  }

  @Test
  void repositoryUrlsWithoutUserInfoStay() {
    assertThat(Redaction.stripUserInfo("git@github.com:org/repo.git"))
        .isEqualTo("git@github.com:org/repo.git");
    assertThat(Redaction.stripUserInfo("https://github.com/org/repo.git"))
        .isEqualTo("https://github.com/org/repo.git");
    assertThat(Redaction.stripUserInfo("/srv/git/repo.git")).isEqualTo("/srv/git/repo.git");
  }

  @Test
  void secretsInARepositoryUrlsQueryAreMaskedAndItsHostIsKept() {
    assertThat(Redaction.stripUserInfo("https://gitlab.example.com/org/repo.git?private_token=glp"))
        .isEqualTo("https://gitlab.example.com/org/repo.git?private_token=***");
    assertThat(Redaction.stripUserInfo("https://host?note=a@b")).isEqualTo("https://host?note=a@b");
    assertThat(Redaction.stripUserInfo("https://u:p@host#x@y")).isEqualTo("https://host#x@y");
  }

  @Test
  void otherCommonSpellingsOfSecretNamesAreMaskedToo() {
    assertThat(Redaction.jvmArguments(List.of("-Ddb.pwd=hunter2", "-Dapi.creds=u:p",
        "-Dhttp.authorization=Bearer abc")))
        .isEqualTo("-Ddb.pwd=*** -Dapi.creds=*** -Dhttp.authorization=***");
  }
}
