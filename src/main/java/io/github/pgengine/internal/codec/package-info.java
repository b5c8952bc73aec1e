/**
 * Values between Java and PostgreSQL's text format: the parameter encoder, the type table and the decoders of
 * result text (numbers, dates and times, intervals in every IntervalStyle, arrays). Pure functions of their input:
 * no I/O, no connection state.
 */
@NullMarked
package io.github.pgengine.internal.codec;

import org.jspecify.annotations.NullMarked;
