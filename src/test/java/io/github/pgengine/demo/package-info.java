/** The quickstart demo: the engine's main job against a throwaway local PostgreSQL. */
@NullMarked
package io.github.pgengine.demo;

import org.jspecify.annotations.NullMarked;
