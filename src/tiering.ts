/**
 * When V8 compiles a function with its optimizing compiler: the command
 * line, imported first, makes it wait longer than V8's default.
 *
 * V8 optimizes a function once it has run a little while (its "interrupt
 * budget": about 66 KB of bytecode run). A scan runs many functions a few
 * thousand times each and then never again (converting syntax, evaluating
 * words, unfolding calls), so by default the optimizing compiler spends more
 * time on them, on the main thread and on the one other core, than its code
 * then saves; some are optimized again after a deoptimization. With eight
 * times the budget only the functions that keep running are optimized.
 * Measured on two cores, 16 interleaved runs each: a Debian 12 tree 0.73 s
 * median against 0.88 s, and 16 copies of it 3.4 s against 4.0 s (2, 4
 * and 16 times the budget did no better). A process-wide setting, made
 * before any of rorlint's code has run; the findings do not depend on it.
 */
import { setFlagsFromString } from "node:v8";
import { INTERRUPT_BUDGET_FLAG } from "./flags.js";

setFlagsFromString(INTERRUPT_BUDGET_FLAG);
