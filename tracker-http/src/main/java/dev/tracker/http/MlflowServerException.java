package dev.tracker.http;

import dev.tracker.TrackerException;

/**
 * The MLflow server answered a request with an error that retrying does not cure (a 4xx other
 * than 408 and 429, or a server error left after the retries). The message carries the HTTP
 * status, MLflow's error code and the server's message, never credentials.
 */
public final class MlflowServerException extends TrackerException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String errorCode;
  private final String serverMessage;

  /**
   * Creates the exception.
   *
   * @param request what was asked, e.g. {@code POST runs/log-batch}
   * @param status the HTTP status
   * @param errorCode MLflow's {@code error_code}, or null when the body was not MLflow's JSON
   * @param serverMessage MLflow's {@code message}, or the start of the body
   */
  public MlflowServerException(String request, int status, String errorCode,
      String serverMessage) {
    super(request + " failed with HTTP " + status
        + (errorCode == null ? "" : " " + errorCode)
        + (serverMessage == null || serverMessage.isEmpty() ? "" : ": " + serverMessage)
        + hint(status));
    this.status = status;
    this.errorCode = errorCode;
    this.serverMessage = serverMessage;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** MLflow's error code such as {@code INVALID_PARAMETER_VALUE}, or null when not given. */
  public String errorCode() {
    return errorCode;
  }

  /** The server's message, or the start of a body that was not MLflow's JSON; may be empty. */
  public String serverMessage() {
    return serverMessage == null ? "" : serverMessage;
  }

  /** True when MLflow said the resource does not exist (HTTP 404 RESOURCE_DOES_NOT_EXIST). */
  public boolean isNotFound() {
    return status == 404 && (errorCode == null || "RESOURCE_DOES_NOT_EXIST".equals(errorCode));
  }

  private static String hint(int status) {
    if (status == 401) {
      return " (set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or"
          + " MLFLOW_TRACKING_TOKEN)";
    }
    if (status == 403) {
      return " (the credentials given lack permission for this)";
    }
    return "";
  }
}
