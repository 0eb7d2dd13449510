#!/usr/bin/env node
// The command line: its bundle, run with its code cache (see src/launch.ts).
import { fileURLToPath } from "node:url";
import { launch } from "../dist/src/launch.js";

launch(fileURLToPath(new URL("../dist/bundle/cli.cjs", import.meta.url)));
