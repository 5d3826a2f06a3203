#!/usr/bin/env node
// Checks Adaptive Cards with Microsoft's adaptivecards library, the way a
// Teams client parses them, and prints one JSON report per card.
//
//   node check.js card1.json card2.json   cards from files
//   node check.js < cards.json            a JSON array of cards on stdin
//
// Exit status: 0 when every card is clean, 1 when any card has a problem,
// 2 when the input could not be read.
"use strict";

const fs = require("fs");
const path = require("path");
// The package's "main" is ES modules that Node cannot load (extensionless
// imports); the UMD bundle works in plain Node, without a DOM.
const AC = require(path.join(__dirname, "node_modules", "adaptivecards", "dist", "adaptivecards.js"));

// MAX_VERSION is the newest card version every Teams client renders.
const MAX_VERSION = "1.5";
const maxVersion = AC.Version.parse(MAX_VERSION, new AC.SerializationContext());

function problem(e) {
  const source = e.source && typeof e.source.getJsonTypeName === "function" ? e.source.getJsonTypeName() : "";
  return {
    phase: AC.ValidationPhase[e.phase],
    event: AC.ValidationEvent[e.event],
    source: source,
    message: e.message,
    origin: "adaptivecards",
  };
}

function own(event, message) {
  return { phase: "Validation", event: event, source: "AdaptiveCard", message: message, origin: "cardcheck" };
}

// check returns every parse and validation problem of one card.
function check(json) {
  const problems = [];
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return [own("Other", "a card must be a JSON object")];
  }
  if (json.type !== "AdaptiveCard") {
    problems.push(own("MissingCardType", `type must be "AdaptiveCard" (got ${JSON.stringify(json.type)})`));
  }
  const card = new AC.AdaptiveCard();
  // Elements newer than MAX_VERSION parse as unknown types.
  const ctx = new AC.SerializationContext(maxVersion);
  card.parse(json, ctx);
  for (let i = 0; i < ctx.eventCount; i++) {
    problems.push(problem(ctx.getEventAt(i)));
  }
  for (const e of card.validateProperties().validationEvents) {
    problems.push(problem(e));
  }
  if (typeof json.version !== "string") {
    problems.push(own("UnsupportedCardVersion", `version must be set, as a string like "${MAX_VERSION}"`));
  } else if (card.version && card.version.isValid && card.version.compareTo(maxVersion) > 0) {
    problems.push(own("UnsupportedCardVersion", `card version ${json.version} is newer than ${MAX_VERSION}, the newest every Teams client renders`));
  }
  return problems;
}

function readInput(args) {
  if (args.length > 0) {
    return args.map((file) => ({ card: file, text: fs.readFileSync(file, "utf8") }));
  }
  const all = JSON.parse(fs.readFileSync(0, "utf8"));
  if (!Array.isArray(all)) {
    throw new Error("stdin must be a JSON array of cards");
  }
  return all.map((c, i) => ({ card: `#${i}`, json: c }));
}

function main() {
  let inputs;
  try {
    inputs = readInput(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`cardcheck: ${err.message}\n`);
    return 2;
  }
  let failed = false;
  const reports = inputs.map((input) => {
    let problems;
    if ("json" in input) {
      problems = check(input.json);
    } else {
      try {
        problems = check(JSON.parse(input.text));
      } catch (err) {
        problems = [own("Other", `not JSON: ${err.message}`)];
      }
    }
    failed = failed || problems.length > 0;
    return { card: input.card, problems: problems };
  });
  process.stdout.write(JSON.stringify(reports, null, 2) + "\n");
  return failed ? 1 : 0;
}

process.exitCode = main();
