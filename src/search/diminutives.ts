// What people call each other: "bob" is Robert, "liz" Elizabeth. A search for the short form also
// looks for the full names (the contact may be filed as either).
const FORMAL: Record<string, string[]> = {
  abby: ['abigail'], al: ['albert', 'alan', 'alfred'], alex: ['alexander', 'alexandra', 'alexis'], andy: ['andrew'],
  barb: ['barbara'], becky: ['rebecca'], ben: ['benjamin'], beth: ['elizabeth'], betty: ['elizabeth'], bill: ['william'],
  billy: ['william'], bob: ['robert'], bobby: ['robert'], cathy: ['catherine', 'cathleen'], charlie: ['charles'],
  chris: ['christopher', 'christine', 'christina'], chuck: ['charles'], dan: ['daniel'], danny: ['daniel'],
  dave: ['david'], deb: ['deborah'], debbie: ['deborah'], dick: ['richard'], don: ['donald'], doug: ['douglas'],
  ed: ['edward', 'edwin'], eddie: ['edward'], frank: ['francis', 'franklin'], fred: ['frederick'], gabe: ['gabriel'],
  greg: ['gregory'], hank: ['henry'], jack: ['john', 'jackson'], jake: ['jacob'], jen: ['jennifer'], jenny: ['jennifer'],
  jeff: ['jeffrey'], jerry: ['gerald', 'jerome'], jim: ['james'], jimmy: ['james'], joe: ['joseph'], joey: ['joseph'],
  jon: ['jonathan'], josh: ['joshua'], kate: ['katherine', 'kathryn', 'catherine'], kathy: ['katherine', 'kathryn', 'kathleen'],
  katie: ['katherine', 'kathryn'], ken: ['kenneth'], kim: ['kimberly'], larry: ['lawrence'], liz: ['elizabeth'],
  lizzie: ['elizabeth'], maggie: ['margaret'], matt: ['matthew'], meg: ['margaret', 'megan'], mike: ['michael'],
  mandy: ['amanda'], nate: ['nathan', 'nathaniel'], nick: ['nicholas'], pam: ['pamela'], pat: ['patrick', 'patricia'],
  peggy: ['margaret'], pete: ['peter'], phil: ['philip', 'phillip'], rich: ['richard'], rick: ['richard'],
  rob: ['robert'], ron: ['ronald'], sam: ['samuel', 'samantha'], sandy: ['sandra'], steve: ['steven', 'stephen'],
  sue: ['susan'], susie: ['susan'], ted: ['edward', 'theodore'], tom: ['thomas'], tommy: ['thomas'], tony: ['anthony'],
  trish: ['patricia'], vicky: ['victoria'], vince: ['vincent'], will: ['william'], zach: ['zachary'],
};

/** The full names a short form stands for ("bill" → william), or none. */
export function formalNames(word: string): readonly string[] {
  return Object.hasOwn(FORMAL, word) ? FORMAL[word]! : [];
}
