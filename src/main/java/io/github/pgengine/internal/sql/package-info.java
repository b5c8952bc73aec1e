/** SQL text: the scanner that follows PostgreSQL's lexer, parsed statements and their cache, identifier quoting, version parsing. */
@NullMarked
package io.github.pgengine.internal.sql;

import org.jspecify.annotations.NullMarked;
