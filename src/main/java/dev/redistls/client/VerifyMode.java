package dev.redistls.client;

/** How much of the server's certificate is checked, as Lettuce's {@code SslVerifyMode} names it. */
public enum VerifyMode {
    /** Nothing: any certificate is accepted. Only for diagnosis ({@code --insecure}). */
    NONE,
    /** The chain must lead to a trusted root; the name in the certificate is not checked. */
    CA,
    /** The chain and the host name (or IP) we connect to, as HTTPS checks them. The default. */
    FULL
}
