import type { Explanation, ScoreFactors } from './explain.ts';
import type { StageVerdict, TrainedStage } from './trained-stage.ts';

/** A watched topic as users write it. */
export interface TopicDefinition {
  /** Stable id: lower-case letters, digits and dashes. */
  id: string;
  name: string;
  description?: string;
  query: string;
  /** Matches scoring below this (0–1) are dropped. */
  minScore: number;
  enabled: boolean;
  tags?: string[];
  /** A second stage trained on the topic's labels: when present, its probability is the score `minScore` applies to. */
  stage?: TrainedStage;
}

/** A topic that matched an article. */
export interface TopicMatch {
  topicId: string;
  topicName: string;
  score: number;
  factors: ScoreFactors;
  explanation: Explanation;
  /** What the topic's trained stage made of the match, when it has one. */
  stage?: StageVerdict;
}
