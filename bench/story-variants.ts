import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from './corpus.ts';
import { buildVocabulary } from './match-corpus.ts';

/**
 * Pairs of articles for measuring near-duplicate detection: the same story as another outlet
 * or a later version would publish it (changed headline, added paragraph, reordered sentences,
 * another footer, a light copy edit, a cut, and all of these at once), and different stories on
 * the same subject written from the same wire phrases (the hard negatives).
 */

/** An article as a JSON file would carry it. */
export interface StoryText {
  title: string;
  paragraphs: string[];
  source: string;
}

/** A pair and what it is. */
export interface StoryPair {
  kind: string;
  same: boolean;
  a: StoryText;
  b: StoryText;
}

const COUNTRIES = [
  'Azerbaijan',
  'Armenia',
  'Georgia',
  'Kazakhstan',
  'Uzbekistan',
  'Turkey',
  'South Korea',
  'Japan',
  'Moldova',
  'Ukraine',
  'Kenya',
  'Ghana',
  'Peru',
  'Chile',
  'Vietnam',
  'Indonesia',
];
const DONORS = [
  'the World Health Organization',
  'the European Union',
  'UNICEF',
  'the World Bank',
  'the Asian Development Bank',
  'the Red Cross',
  'the United Nations',
  'the government of Japan',
];
const GOODS = [
  'medical masks',
  'ventilators',
  'vaccine doses',
  'testing kits',
  'protective suits',
  'oxygen concentrators',
  'ambulances',
  'field hospitals',
];
const PEOPLE = [
  'Ramiz Hasanov',
  'Hikmat Hajiyev',
  'Anna Petrosyan',
  'Giorgi Beridze',
  'Kim Min-jun',
  'Aiko Tanaka',
  'Mehmet Yilmaz',
  'Olena Shevchenko',
];
const ROLES = [
  'Deputy Foreign Minister',
  'Health Minister',
  'the ambassador',
  'a ministry spokesperson',
  'the head of the national health agency',
  'the prime minister',
];
const SOURCES = [
  'Trend',
  'AzerNews',
  'Reuters',
  'AP',
  'Interfax',
  'Yonhap',
  'Kyodo',
  'TASS',
  'Anadolu',
  'Civil.ge',
];

const SENTENCES = [
  '{donor} delivered {n} {goods} to {country} on {day}, the ministry said in a statement.',
  '{person}, {role}, thanked {donor} for the support and said the shipment would reach regional hospitals within a week.',
  'The delivery is part of a wider programme to strengthen the health system of {country} against the pandemic.',
  'According to {donor}, a further {n} {goods} are expected to arrive in {country} before the end of the month.',
  'Officials in {country} said the {goods} would first go to clinics in rural areas where shortages were most severe.',
  '{person} told reporters that cooperation with {donor} had grown steadily over the past two years.',
  'The ceremony at the airport was attended by diplomats, doctors and representatives of {donor}.',
  '{country} has reported a sharp rise in cases this month, putting pressure on intensive care units.',
  'Critics in {country} have questioned how the {goods} will be distributed and asked for an independent audit.',
  'The agreement signed on {day} also covers training for {n} nurses and laboratory staff.',
  '{donor} said it was ready to send experts to {country} to help with the vaccination campaign.',
  'The shipment was financed through a grant of {n} million dollars approved earlier this year.',
  '{person} said the government would publish weekly figures on how the {goods} were used.',
  'Neighbouring countries have received similar support, and talks on a regional stockpile are under way.',
  'In a separate statement, {role} of {country} said new restrictions on gatherings would be announced on {day}.',
  "Local media reported that the first {goods} were unloaded at the capital's main airport late on {day}.",
  'Health workers in {country} welcomed the aid but said staff shortages remained the biggest problem.',
  'The programme, launched in {year}, has so far delivered equipment to {n} hospitals across the region.',
];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const FOOTERS = [
  'This story was produced by the {source} news service. Reporting by {person}; editing by {person2}.',
  'Copyright {year} {source}. All rights reserved. This material may not be published or redistributed.',
  'Follow {source} on social media for the latest updates from the region.',
  'Additional reporting by {person} in the capital. Contact the newsroom at news@{source}.example.',
];
const SYNONYMS: Array<[RegExp, string]> = [
  [/\bsaid\b/, 'stated'],
  [/\bdelivered\b/, 'handed over'],
  [/\bsupport\b/, 'assistance'],
  [/\bshipment\b/, 'consignment'],
  [/\bofficials\b/i, 'Authorities'],
  [/\bthanked\b/, 'expressed gratitude to'],
  [/\bsharp\b/, 'steep'],
  [/\bexpected\b/, 'due'],
];

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

const fill = (rand: () => number, template: string, slots: Record<string, string>): string =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => slots[name] ?? String(Math.floor(rand() * 900) + 100));

/** A generated wire story: 3–6 paragraphs of 1–3 sentences about one delivery. */
const generateStory = (rand: () => number): StoryText => {
  const slots = {
    country: pick(rand, COUNTRIES),
    donor: pick(rand, DONORS),
    goods: pick(rand, GOODS),
    person: pick(rand, PEOPLE),
    role: pick(rand, ROLES),
    day: pick(rand, DAYS),
    year: String(2018 + Math.floor(rand() * 8)),
  };
  const order = [...SENTENCES.keys()].sort(() => rand() - 0.5);
  const paragraphs: string[] = [];
  let used = 0;
  const count = 3 + Math.floor(rand() * 4);
  for (let p = 0; p < count; p++) {
    const n = 1 + Math.floor(rand() * 3);
    paragraphs.push(
      order
        .slice(used, used + n)
        .map((i) => fill(rand, SENTENCES[i] as string, slots))
        .join(' '),
    );
    used += n;
  }
  return {
    title: `${slots.donor.replace(/^the /, '')} sends ${slots.goods} to ${slots.country}`,
    paragraphs,
    source: pick(rand, SOURCES),
  };
};

const sentencesOf = (p: string) => p.match(/[^.!?]+[.!?]+/g)?.map((s) => s.trim()) ?? [p];

/** The edits another outlet or a later version makes, each a function of a story. */
export const EDITS: Record<string, (s: StoryText, rand: () => number) => StoryText> = {
  'changed headline': (s) => ({
    ...s,
    title: `UPDATE: ${s.title.split(' ').reverse().join(' ')}`,
    source: 'Other Wire',
  }),
  'added paragraph': (s, rand) => ({
    ...s,
    paragraphs: [
      ...s.paragraphs,
      fill(rand, pick(rand, SENTENCES), {
        country: 'the region',
        donor: 'donors',
        goods: 'supplies',
        person: 'an official',
        role: 'a spokesperson',
        day: 'Friday',
        year: '2026',
      }),
    ],
    source: 'Other Wire',
  }),
  'reordered sentences': (s) => {
    const all = s.paragraphs.flatMap(sentencesOf);
    const moved = [...all.slice(1), all[0] as string];
    return {
      ...s,
      paragraphs: [
        moved.slice(0, Math.ceil(moved.length / 2)).join(' '),
        moved.slice(Math.ceil(moved.length / 2)).join(' '),
      ],
    };
  },
  'another footer': (s, rand) => ({
    ...s,
    paragraphs: [
      ...s.paragraphs,
      fill(rand, pick(rand, FOOTERS), {
        source: 'Caspian Daily',
        person: pick(rand, PEOPLE),
        person2: pick(rand, PEOPLE),
        year: '2026',
      }),
    ],
    source: 'Caspian Daily',
  }),
  'light copy edit': (s) => ({
    ...s,
    paragraphs: s.paragraphs.map((p, i) => {
      const [re, to] = SYNONYMS[i % SYNONYMS.length] as [RegExp, string];
      return p.replace(re, to);
    }),
    source: 'Other Wire',
  }),
  'cut to the first paragraphs': (s) => ({
    ...s,
    paragraphs: s.paragraphs.slice(0, Math.max(2, Math.ceil(s.paragraphs.length * 0.7))),
    source: 'Other Wire',
  }),
  'all of these at once': (s, rand) =>
    EDITS['light copy edit']?.(
      EDITS['another footer']?.(EDITS['changed headline']?.(s, rand) as StoryText, rand) as StoryText,
      rand,
    ) as StoryText,
};

/** The seed articles as stories (their paragraphs split at blank lines, the date header dropped). */
export const seedStories = (dir = 'seeds/articles'): StoryText[] =>
  readdirSync(dir)
    .sort()
    .map((f) => {
      const paragraphs = readFileSync(join(dir, f), 'utf8')
        .split(/\n\s*\n/)
        .map((p) => p.replace(/\s+/g, ' ').trim())
        .filter((p) => p && !/^date \d{4}-\d{2}-\d{2}/.test(p));
      // The outlet's own footer (after a "--" line) is not part of the story.
      const footer = paragraphs.indexOf('--');
      const body = footer === -1 ? paragraphs : paragraphs.slice(0, footer);
      return { title: body[0]?.slice(0, 80) ?? f, paragraphs: body, source: 'Seed' };
    });

/**
 * `stories` generated stories (plus the seeds), each with every edit as a same-story pair, and
 * as many different-story pairs drawn from the same generator.
 */
export const storyPairs = (stories: number, seed = 7): StoryPair[] => {
  const rand = prng(seed);
  const bases = [...seedStories(), ...Array.from({ length: stories }, () => generateStory(rand))];
  const pairs: StoryPair[] = [];
  for (const base of bases) {
    for (const [kind, edit] of Object.entries(EDITS))
      pairs.push({ kind, same: true, a: base, b: edit(base, rand) });
  }
  const negatives = pairs.length;
  for (let i = 0; i < negatives; i++) {
    const a = bases[Math.floor(rand() * bases.length)] as StoryText;
    let b = bases[Math.floor(rand() * bases.length)] as StoryText;
    if (b === a) b = bases[(bases.indexOf(a) + 1) % bases.length] as StoryText;
    pairs.push({ kind: 'different story, same subject', same: false, a, b });
  }
  return pairs;
};

/** Generated distinct stories (for filling a store before measuring lookups). */
export const generatedStories = (count: number, seed = 11): StoryText[] => {
  const rand = prng(seed);
  return Array.from({ length: count }, () => generateStory(rand));
};

/**
 * Distinct articles of 150–600 words drawn from an English word list with Zipf-like
 * frequencies: the shingle statistics of unrelated news, for filling a store before
 * measuring lookups (the templated stories above share too many phrases for that).
 */
export const randomStories = (count: number, seed = 13): StoryText[] => {
  const words = buildVocabulary(20_000);
  const rand = prng(seed);
  // Zipf-like: common words much more often than rare ones, as in real text.
  const word = () => words[Math.floor(words.length * rand() ** 3)] as string;
  return Array.from({ length: count }, () => {
    const paragraphs: string[] = [];
    const n = 150 + Math.floor(rand() * 450);
    let left = n;
    while (left > 0) {
      const len = Math.min(left, 30 + Math.floor(rand() * 50));
      paragraphs.push(`${Array.from({ length: len }, word).join(' ')}.`);
      left -= len;
    }
    return { title: paragraphs[0]?.slice(0, 60) ?? '', paragraphs, source: pick(rand, SOURCES) };
  });
};
