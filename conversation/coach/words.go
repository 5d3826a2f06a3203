package coach

import "strings"

// verbKind groups verbs by how a goal built on them is met.
type verbKind int

const (
	notVerb      verbKind = iota
	vagueVerb             // learn, understand: nothing to see
	activityVerb          // attend, complete: an activity, not a result
	explainVerb           // shown by explaining to people
	performVerb           // shown by doing it, repeatedly, observed
	makeVerb              // shown by a thing made and reviewed
	analyseVerb           // shown by questions answered
	changeVerb            // shown by a number that moves
	doneVerb              // met by definition: pass, publish, ship
)

// verbs are the verbs the coach knows, in the spirit of Bloom's taxonomy.
var verbs = group(verbLists)

var verbLists = map[verbKind]string{
	vagueVerb: `learn understand know study explore research master grasp appreciate familiarise
		familiarize become be get gain feel have look read work brush dive deepen focus try think
		discover comprehend acquire absorb refresh revisit`,
	activityVerb: `attend take watch enrol enroll join participate complete finish do`,
	explainVerb: `explain describe present teach summarise summarize outline demonstrate pitch
		illustrate define list interpret justify recommend report demo showcase propose debate
		articulate brief communicate`,
	performVerb: `lead run facilitate negotiate chair host conduct interview coach mentor moderate
		mediate deliver manage handle resolve sell close hire onboard train apply use give hold
		perform secure practise practice shadow support guide delegate influence persuade
		collaborate speak respond`,
	makeVerb: `build create design develop implement produce prototype write draft document code
		program configure construct deploy automate migrate model map plan prepare redesign refactor
		rewrite author edit compose draw make fix debug set record optimise optimize integrate
		install establish organise organize translate`,
	analyseVerb: `analyse analyze compare contrast evaluate assess audit calculate estimate forecast
		measure investigate identify predict prioritise prioritize review critique diagnose
		troubleshoot test validate benchmark solve query classify categorise categorize`,
	changeVerb: `improve reduce increase cut grow raise lower halve double shorten decrease`,
	doneVerb:   `pass earn obtain achieve win publish ship launch submit`,
}

// softVerbs are vague when their object is abstract: "build my confidence".
var softVerbs = set(`develop build improve grow expand increase strengthen enhance boost broaden
	sharpen hone raise`)

var irregular = map[string]string{
	"led": "lead", "ran": "run", "wrote": "write", "written": "write", "built": "build",
	"taught": "teach", "gave": "give", "given": "give", "spoke": "speak", "spoken": "speak",
	"drew": "draw", "drawn": "draw", "made": "make", "sold": "sell", "held": "hold",
	"understood": "understand", "knew": "know", "known": "know", "learnt": "learn",
	"won": "win", "became": "become", "got": "get", "gotten": "get", "took": "take",
	"taken": "take", "did": "do", "done": "do", "is": "be", "am": "be", "are": "be",
}

// prefixes are stripped before the verb: "I will", "I want to be able to" …
var prefixes = phrases(`i will|i'll|i want to|i'd like to|i would like to|i plan to|i aim to|
	i intend to|i hope to|i need to|i must|i should|i shall|i can|i am going to|i'm going to|
	i wish to|my goal is to|the goal is to|want to|to|be able to|able to|will|i`)

var adverbs = set(`really fully properly actually confidently independently better finally also
	regularly successfully clearly effectively quickly comfortably consistently then first now`)

// connectors go with a vague verb: "learn more about", "get better at".
var connectors = set(`about more better good great familiar comfortable confident aware fluent
	proficient competent expert an a with at on in of into up to speed basic deeper deep solid
	strong my our myself much lot bit little stuck around some thorough broad general further
	well for`)

// abstractNouns are things nobody can watch you have.
var abstractNouns = set(`understanding knowledge grasp appreciation awareness skills skill skillset
	experience expertise confidence abilities ability competence competency competencies capability
	capabilities proficiency familiarity insight insights know-how feel`)

// basics follow "the" in "the basics of", "the art of".
var basics = set(`basics fundamentals principles essentials foundations art theory concepts concept
	importance details world`)

var possessives = set(`my our a an the`)

// clauseBreak words end the learner's subject: "negotiation because …".
var clauseBreak = set(`because since so as which while but`)

var questionWords = set(`how what why when where who which whether`)

var numberWords = set(`two three four five six seven eight nine ten eleven twelve fifteen twenty
	thirty forty fifty hundred dozen once twice`)

var qualifierWords = set(`weekly daily monthly fortnightly quarterly annually every each unaided
	independently unassisted observed reviewed assessed approved verified rated certified
	certification certificate exam score deadline measurable within`)

var qualifierPhrases = phrases(`at least|at most|no more than|fewer than|less than|more than|
	without help|without notes|without assistance|without support|without supervision|
	without errors|without escalation|without escalating|without prompting|on my own|by myself|
	so that|such that|in a review|in review|checked by|signed off|feedback from|in production|
	in front of|by the end|end of`)

// dateWords follow "by" in a deadline: "by June", "by next Friday".
var dateWords = set(`january february march april may june july august september october
	november december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday
	thursday friday saturday sunday end next tomorrow eod eoy q1 q2 q3 q4 christmas spring summer
	autumn fall winter`)

var audienceWords = set(`team teams colleague colleagues peers manager managers customer customers
	client clients stakeholder stakeholders board students starters hires group audience class
	leadership directors engineers juniors department company everyone others partners users
	supplier suppliers panel committee`)

var determiners = set(`my our the a an all new senior junior other wider whole entire several some`)

// dataWords mark a goal about data, whose measure is questions answered.
var dataWords = strings.Fields(`sql quer* data* dashboard* excel spreadsheet* pivot* metric*
	analytic* statistic* tableau looker bigquery`)

// measureSuffix adds a way to tell a goal is met, by kind of verb.
var measureSuffix = map[verbKind]string{
	explainVerb: "%s to my team in a 10-minute session, and answer their questions without notes",
	performVerb: "%s at least three times in the next two months, with feedback from my manager after each",
	makeVerb:    "%s for a real need in my team, and have the result reviewed by a colleague",
	analyseVerb: "%s to answer three real questions from my team, and have the answers checked by a colleague",
	changeVerb:  "%s, with a before-and-after measure agreed with my manager (e.g. 20%% faster)",
}

// topics turn a vague subject into a concrete goal. Words ending in "*"
// match as prefixes. A template with %s gets the matching word as typed.
var topics = []struct {
	words    []string
	template string
}{
	{strings.Fields(`negotiat*`), "Lead a negotiation with a supplier or client and agree terms without escalating, observed by my manager"},
	{strings.Fields(`excel`), "Build an Excel model of a report my team uses, with pivot tables and lookups, and have it checked by a colleague"},
	{strings.Fields(`spreadsheet*`), "Build a spreadsheet model of a report my team uses, with pivot tables and lookups, and have it checked by a colleague"},
	{strings.Fields(`sql`), "Write SQL queries that answer three real reporting questions from my team, reviewed by a colleague"},
	{strings.Fields(`data* analytic* statistic* dashboard*`), "Analyse a real data set from my work to answer three questions my team has, and present the findings in a 10-minute review"},
	{strings.Fields(`present* speaking talks`), "Give a 10-minute presentation on a topic from my work to my team, and get written feedback from three colleagues"},
	{strings.Fields(`writing writer`), "Write a one-page summary of a topic from my work for my manager, and revise it once after their feedback"},
	{strings.Fields(`feedback`), "Give specific feedback to two colleagues in one-to-ones this month, and ask each of them whether it helped"},
	{strings.Fields(`stakeholder*`), "Run a review of my project with at least three stakeholders, and send an agreed action list within two days"},
	{strings.Fields(`conflict* difficult`), "Hold one difficult conversation using a structured approach, and review how it went with my manager afterwards"},
	{strings.Fields(`lead* manag* delegat*`), "Lead my team's weekly meeting for a month, and agree one improvement with my manager after each"},
	{strings.Fields(`python javascript typescript java golang rust react kubernetes docker aws azure gcp terraform linux git programming coding cloud`),
		"Build a small %s project that solves a real task for my team, and get it through code review"},
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

func group(byKind map[verbKind]string) map[string]verbKind {
	m := map[string]verbKind{}
	for k, words := range byKind {
		for _, w := range strings.Fields(words) {
			m[w] = k
		}
	}
	return m
}

func phrases(list string) [][]string {
	var out [][]string
	for _, p := range strings.Split(list, "|") {
		out = append(out, strings.Fields(p))
	}
	return out
}
