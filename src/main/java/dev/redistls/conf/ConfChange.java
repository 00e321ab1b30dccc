package dev.redistls.conf;

/**
 * One line the tool changed in a config file: what was there before ({@code null}: the line was added) and what
 * it wrote. Kept in the install record so that uninstall can put back exactly what was there.
 */
public record ConfChange(String directive, String before, String after) {
}
