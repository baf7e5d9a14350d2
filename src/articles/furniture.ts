/**
 * Page furniture: the widgets news sites put inside and around an article that are not the story
 * (video boxes, share bars, "Follow us on …", newsletter boxes, "show more news" lists, ads).
 * Readability keeps some of them when they sit inside the article body, so Herald removes them
 * before extraction (by class/id, shape and wording) and again after (by wording, per paragraph).
 */
import { htmlToText, treeText, type TextTreeNode } from '../text/text.js';

/** class/id words that name furniture. Matched as whole dash/underscore-separated words. */
const FURNITURE_NAME =
  /(?:^|[\s_-])(share|sharing|sharebar|social|newsletter|newsletters|subscribe|subscription|signup|related|more-news|morenews|read-more|readmore|video-of-day|video-of-the-day|follow-us|followus|advert|advertisement|ads|ad|adslot|ad-slot|promo|sponsored|sponsor|outbrain|taboola|recirc|recommended|paywall|cookie|cookies|popup|modal)(?:$|[\s_-])/i;

/**
 * Labels that introduce a link to another story ("Read also: …", "ALSO READ | …", "Related"), in
 * English, Ukrainian (and Russian, read by the same audience), German, French, Spanish, Italian and
 * Polish. A line is furniture when it is one of them alone, or one followed by a separator and a
 * headline; written in capitals, the separator may be missing ("ALSO READ Grain exports fall").
 */
const RELATED_LABELS = [
  'read also', 'also read', 'read more', 'read next', 'more', 'related', 'related stories', 'related articles',
  'related news', 'related coverage', 'related content', 'related reading', 'related story', 'related article',
  'see also', 'recommended', 'recommended reading', 'recommended for you', 'you may also like',
  'you might also like', 'more on this story', 'more on this topic', 'further reading', "don't miss",
  'must read', 'most read', 'editor\'s picks', 'watch', 'listen', 'more from', 'also on',
  'читайте також', 'також читайте', 'читати також', 'дивіться також', 'дивись також', 'рекомендуємо',
  'по темі', 'за темою', 'новини за темою', 'схожі новини', "пов'язані новини", 'більше новин', 'інші новини',
  'читайте также', 'смотрите также', 'по теме',
  'lesen sie auch', 'lesen sie mehr', 'auch interessant', 'das könnte sie auch interessieren', 'mehr zum thema',
  'mehr dazu', 'zum thema', 'siehe auch', 'empfohlen', 'empfehlungen', 'weiterlesen', 'meistgelesen',
  'lire aussi', 'à lire aussi', 'a lire aussi', 'lire également', 'à lire également', 'lisez aussi', 'voir aussi',
  'à voir aussi', 'sur le même sujet', 'lire la suite', 'recommandé', 'ces articles peuvent vous intéresser',
  'à découvrir', 'les plus lus',
  'lee también', 'lea también', 'leer también', 'leer más', 'lee más', 'te puede interesar', 'le puede interesar',
  'también te puede interesar', 'ver también', 'véase también', 'relacionado', 'relacionados', 'relacionada',
  'relacionadas', 'noticias relacionadas', 'recomendado', 'recomendados', 'lo más leído', 'más información',
  'leggi anche', 'czytaj też', 'czytaj także', 'zobacz też',
];
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const RELATED_ALTERNATIVES = RELATED_LABELS.map(escapeRegExp).sort((a, b) => b.length - a.length).join('|');
const RELATED_LINE = new RegExp(`^(?:${RELATED_ALTERNATIVES})(?:\\s*[:：|–—>»•▶►-]\\s*.{0,220}|\\s*[.!…]?)$`, 'iu');
const RELATED_SHOUTED = new RegExp(`^(?:${RELATED_ALTERNATIVES.toUpperCase()})\\s+\\S.{0,220}$`, 'u');
/** A label alone, its headline being the link that follows it (`<strong>Read also:</strong> <a>…</a>`). */
const RELATED_LABEL = new RegExp(`^(?:${RELATED_ALTERNATIVES})\\s*[:：|–—>»•▶►-]?$`, 'iu');
/** A label where a sentence may start, inside a paragraph: "… scandal. Read also: Who is the new minister?" */
const INLINE_RELATED = new RegExp(`(?<=^|[.!?…]["'”»)]?\\s+)(?:${RELATED_ALTERNATIVES})\\s*[:：|–—>»•▶►]\\s*`, 'giu');
/** Longest headline (characters) a related-story label introduces. */
const HEADLINE = 220;
/**
 * Where the next sentence starts: a sentence end after a word or number, then a capital or digit.
 * Case-sensitive on purpose: with the `i` flag, \p{Lu} would match every letter.
 */
const NEXT_SENTENCE = /(?:\p{Ll}{2}|\p{N}|["'”»)])[.!?…]["'”»)]?\s+(?=[\p{Lu}\p{N}"'«„“])/u;

/** Whether a related-story line says more than one sentence after its label: then only the first is the headline. */
const saysMore = (line: string) => NEXT_SENTENCE.test(line.replace(INLINE_RELATED, ''));

/**
 * A picture's or video's label standing alone ("Image", "Фото", "Galería"). Only dropped from the
 * extracted text: taking such labels out of the page changes which blocks Readability keeps.
 */
const MEDIA_LABEL = /^(?:image|images|photo|photos|video|videos|gallery|foto|fotos|фото|відео|видео|галерея|bild|bilder|galerie|vidéo|vídeo|galería|imagen)$/iu;

/** "Photo by …", "Foto: …", "Фото: …", "Credit: …": a picture's caption or credit line. */
const CREDIT_LINE =
  /^(?:photos?|photograph|picture|pictures|images?|pic|credits?|foto|fotos|fotografía|imagen|bild|bilder|фото|світлина|ілюстрація|джерело фото|фото з відкритих джерел|crédits?|crédito|créditos|illustration|video|vidéo|vídeo|видео|відео)\s*(?:by\s|[:：©/(])/iu;
/** "John Smith / Getty Images", "REUTERS/Valentyn Ogirenko", "AP Photo/…": a credit naming an agency. */
const AGENCY_CREDIT =
  /(?:^|[\s(/|©])(?:getty images|reuters|afp|ap photo|associated press|shutterstock|epa(?:-efe)?|dpa|picture alliance|picture-alliance|imago|anadolu|unsplash|istock(?:photo)?|alamy|efe|ukrinform|укрінформ|униан|уніан|ria novosti)\b/iu;
/** "Source: …": an attribution line, short. */
const SOURCE_LINE = /^(?:source|sources|quelle|fuente|джерело)\s*:/iu;

/**
 * "Updated 2 hours ago", "Aktualisiert vor 3 Stunden", "Mis à jour le 12 novembre 2024 à 18h05":
 * the keyword, then a few words that hold a number or a relative day, and no sentence ending.
 */
const TIMESTAMP_LINE =
  /^(?:updated|last updated|published|posted|modified|aktualisiert|zuletzt aktualisiert|veröffentlicht|stand|mis à jour|publié|modifié|actualizado|publicado|actualización|оновлено|опубліковано|обновлено|опубликовано)(?=[\s:,]|$)(?=.*(?:\d|ago|yesterday|today|gestern|heute|hier|aujourd|ayer|hoy|тому|вчора|сьогодні|назад|вчера|сегодня))(?:[\s:,]+\S+){0,9}$/iu;
const SENTENCE_END = /\p{Ll}{4,}[.!?]$/u;

/** Wire-service trailers: who reported and edited, the agency's standards and licensing lines, copyright. */
const WIRE_TRAILER = [
  /^\(?\s*(?:additional |further )?(?:reporting|writing|editing|compiled|research|graphics|translation|production) by\b.{0,300}$/iu,
  /^our standards\s*:/iu,
  /^(?:purchase )?licensing rights\b/iu,
  /^(?:copyright|©)\s.{0,160}(?:all rights reserved|may not be (?:published|reproduced|redistributed))/iu,
  /^this material may not be published\b/iu,
  /contributed (?:reporting )?to this (?:report|story)\.?$/iu,
  /^\((?:with|avec|con|mit)\s[^()]{1,80}\)\.?$/iu,
  /^(?:mit material von|with reporting from|avec l'afp|con información de)\b.{0,120}$/iu,
];
/** The same trailers at the end of the last paragraph: "… on Thursday. (Reporting by …; Editing by …)". */
const TRAILING_WIRE_CREDIT =
  /\s*\((?:(?:additional |further )?(?:reporting|writing|editing|compiled|research) by [^()]{1,240}|(?:with|avec|con|mit) (?:afp|ap|reuters|dpa|efe|agencies|agences|agencias|l'afp|información de [^()]{1,80}|material von [^()]{1,80}))\)\.?$/iu;

/** Subscribe-to-our-channel boxes, in the same languages. */
const SUBSCRIBE_LINE = [
  /^(?:subscribe|join|follow)\b.{0,60}\b(?:channel|telegram|whatsapp|viber|youtube|newsletter|podcast)\b.{0,120}$/iu,
  /^(?:підписуйтес[ья]|підпишіться|приєднуйтес[ья]|стежте за нами|підписуйтесь|подписывайтесь|подпишитесь)(?=[\s:,.!]|$).{0,180}$/iu,
  /^(?:folgen sie uns|abonnieren sie|jetzt abonnieren)\b.{0,180}$/iu,
  /^(?:abonnez-vous|suivez-nous|rejoignez-nous)\b.{0,180}$/iu,
  /^(?:suscríbete|suscribete|síguenos|siguenos|únete a nuestro)(?=[\s:,.!]|$).{0,180}$/iu,
];

/**
 * class/id words that name a picture's caption or credit ("wp-caption-text", "imgCaption",
 * "thumbcaption", "photo-credit"), but not a box said to have none ("no_caption").
 */
const CAPTION_NAME = /(?:^|\s)(?!(?:no|without|has|with)[-_]?(?:caption|credit))\S*(?:caption|credit)/i;

/**
 * Captions stay in the page while Readability reads it (taking them out changes what it keeps of the
 * picture's block); elements named as captions are marked with this attribute and, like <figcaption>,
 * left out when the extracted content becomes text ({@link isCaptionElement}).
 */
const CAPTION_MARK = 'data-herald-caption';

/**
 * Whether an element of extracted content is a picture's caption or credit: a <figcaption>, or an
 * element {@link removeFurniture} marked as one. A caption describes a picture, not the story, and
 * would otherwise open the summary.
 */
function isCaptionElement(name: string, attributes: Readonly<Record<string, string>>): boolean {
  return name === 'figcaption' || CAPTION_MARK in attributes;
}

/** Short blocks whose whole text is one of these are furniture, wherever they stand. */
const FURNITURE_TEXT = [
  /^video of (the )?day$/i,
  /^follow us on\b.{0,140}$/i,
  /^(share|share this( article| story)?|share on \w+)$/i,
  /^(show|load|see|view) more( news| stories| articles)?$/i,
  /^(read|see) more\b.{0,80}$/i,
  /^(more|latest|related) (news|stories|articles)$/i,
  /^(?:advertisement|advertising|sponsored(?: content)?|ad|anzeige|werbung|publicité|publicite|pub|publicidad|реклама|partner content|paid content)$/iu,
  // "Advertisement - Scroll to continue", "ADVERTISEMENT · Continue reading below", "Story continues below advertisement".
  /^(?:(?:advertisement|advert|ad|anzeige|werbung)\s*[-–—:|·•]?\s*)?(?:scroll(?: down| up)?(?: to (?:continue|keep)(?: reading)?(?: with (?:the )?(?:content|story|article))?)?|continue(?: reading)?(?: below| the story| with the story)?|weiterlesen nach der anzeige)$/iu,
  /^(?:(?:the )?(?:story|article|content|text) continues (?:below|after)(?: (?:this|the))?(?: (?:advertisement|advert|ad))?)$/iu,
  /^(sign up|subscribe)\b.{0,120}newsletter.{0,100}$/i,
  /^(subscribe|sign up)( now| today)?[.!]?$/i,
  /^click here to\b.{0,100}$/i,
  // The label between two stories of a continuously scrolling page.
  /^(?:up next|next(?: article| story)?|nächster artikel|article suivant|à suivre|siguiente(?: artículo| noticia)?|наступна (?:новина|стаття)|следующая (?:новость|статья))[:.]?$/iu,
  (line: string) => (RELATED_LINE.test(line) || RELATED_SHOUTED.test(line)) && !saysMore(line),
  CREDIT_LINE,
  ...WIRE_TRAILER,
  ...SUBSCRIBE_LINE,
];
/** Longest block (characters) that can be furniture by its wording: a label and a headline. */
const SHORT_BLOCK = 300;
/** Agency credits and source lines are shorter; a longer line naming an agency is a sentence. */
const SHORT_CREDIT = 120;
const TEXT_BLOCKS = new Set(['P', 'DIV', 'SECTION', 'ASIDE', 'LI', 'H2', 'H3', 'H4', 'H5', 'H6', 'SPAN', 'A', 'STRONG', 'EM']);
const KEEP = new Set(['BODY', 'HTML', 'HEAD', 'ARTICLE', 'MAIN']);

interface NodeLike {
  nodeType: number;
  textContent: string | null;
  firstChild: NodeLike | null;
  nextSibling: NodeLike | null;
}

interface ElementLike extends NodeLike {
  tagName: string;
  parentElement: ElementLike | null;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  querySelectorAll(selector: string): Iterable<ElementLike>;
  remove(): void;
}

export interface DocumentLike {
  querySelectorAll(selector: string): Iterable<ElementLike>;
  documentElement: ElementLike | null;
}

/**
 * Whether a block's whole text is furniture by its wording: related-story lines, captions and
 * credits, ad labels, timestamps, wire-service trailers, subscribe boxes, share and follow prompts.
 */
function isFurnitureText(text: string): boolean {
  if (text.length > SHORT_BLOCK * 3) return false;
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length === 0 || clean.length > SHORT_BLOCK) return false;
  if (clean.length <= SHORT_CREDIT && TIMESTAMP_LINE.test(clean) && !SENTENCE_END.test(clean)) return true;
  if (clean.length <= SHORT_CREDIT && (SOURCE_LINE.test(clean) || (AGENCY_CREDIT.test(clean) && /[/©|]|\bvia\b/iu.test(clean)))) return true;
  return FURNITURE_TEXT.some((rule) => (typeof rule === 'function' ? rule(clean) : rule.test(clean)));
}

/**
 * Text length under every element, from one iterative post-order walk: reading textContent per
 * element instead costs O(n·depth), and recursion would overflow on hostile nesting. Children are
 * reached by firstChild and nextSibling (a childNodes list is built afresh on every read in linkedom).
 */
function textLengths(root: ElementLike): Map<ElementLike, number> {
  const lengths = new Map<ElementLike, number>();
  // Each element is on the stack twice: first to push its element children, then (visited) to sum them.
  const stack: ElementLike[] = [root];
  const visited: boolean[] = [false];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visited.pop()) {
      let total = 0;
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === 3) total += (child.textContent ?? '').trim().length;
        else if (child.nodeType === 1) total += lengths.get(child as ElementLike) ?? 0;
      }
      lengths.set(node, total);
      continue;
    }
    stack.push(node);
    visited.push(true);
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType !== 1) continue;
      stack.push(child as ElementLike);
      visited.push(false);
    }
  }
  return lengths;
}

/** Removes an element, and then each ancestor that it leaves without any text. */
function removeWithEmptyAncestors(element: ElementLike, lengths: Map<ElementLike, number>): void {
  const removed = lengths.get(element) ?? 0;
  let parent = element.parentElement;
  element.remove();
  while (parent && !KEEP.has(parent.tagName)) {
    const left = (lengths.get(parent) ?? 0) - removed;
    lengths.set(parent, left);
    if (left > 0) break;
    const next = parent.parentElement;
    parent.remove();
    parent = next;
  }
}

/**
 * Removes furniture before extraction from a page parsed by parsePage (which left out the elements
 * that never carry text, e-mail fields and forms excepted): boxes built around an e-mail field
 * (newsletter sign-ups), forms, containers named as furniture (unless they hold much of the page's
 * text, which a mislabelled wrapper can), and short blocks worded as furniture.
 */
export function removeFurniture(doc: DocumentLike): void {
  // Every pass walks all elements once ('*' matches without a selector engine's per-element work)
  // and tests tag names and attributes itself.
  const elements = () => doc.querySelectorAll('*');
  // Measured over the whole document: a lenient parser may leave content outside <body>.
  if (!doc.documentElement) return;
  const lengths = textLengths(doc.documentElement);
  const pageLength = lengths.get(doc.documentElement) ?? 0;
  const forms: ElementLike[] = [];
  const emailFields: ElementLike[] = [];
  for (const element of elements()) {
    if (element.tagName === 'FORM') forms.push(element);
    else if (isEmailField(element)) emailFields.push(element);
  }
  // A form's e-mail field marks the box around it first; then the forms go.
  for (const field of emailFields) {
    let box: ElementLike | null = field.parentElement;
    while (box?.parentElement && !KEEP.has(box.parentElement.tagName) && (lengths.get(box.parentElement) ?? 0) < 400) box = box.parentElement;
    if (box && !KEEP.has(box.tagName) && (lengths.get(box) ?? 0) < 400) box.remove();
    else field.remove();
  }
  for (const form of forms) form.remove();
  // (Elements named as captions are only marked: see CAPTION_MARK.)
  for (const element of elements()) {
    if (!element.parentElement || KEEP.has(element.tagName) || !lengths.has(element)) continue;
    const className = element.getAttribute('class');
    const id = element.getAttribute('id');
    if (className === null && id === null) continue;
    const name = `${className ?? ''} ${id ?? ''}`;
    if (CAPTION_NAME.test(name) && (lengths.get(element) ?? 0) <= SHORT_BLOCK) element.setAttribute(CAPTION_MARK, '');
    if (!FURNITURE_NAME.test(name)) continue;
    if ((lengths.get(element) ?? 0) > Math.max(600, pageLength * 0.3)) continue;
    removeWithEmptyAncestors(element, lengths);
  }
  for (const element of elements()) {
    if (!element.parentElement || !TEXT_BLOCKS.has(element.tagName)) continue;
    const length = lengths.get(element) ?? 0;
    if (length === 0 || length > SHORT_BLOCK) continue;
    const text = element.textContent ?? '';
    if (!isFurnitureText(text)) continue;
    const headline = RELATED_LABEL.test(text.trim()) ? linkAfter(element) : null;
    removeWithEmptyAncestors(element, lengths);
    if (headline?.parentElement) removeWithEmptyAncestors(headline, lengths);
  }
}

function isEmailField(element: ElementLike): boolean {
  return element.tagName === 'INPUT' && element.getAttribute('type')?.trim().toLowerCase() === 'email';
}

/** The link right after an element (past white space), or an element holding only a link: a label's headline. */
function linkAfter(element: ElementLike): ElementLike | null {
  let next = element.nextSibling;
  while (next && next.nodeType === 3 && (next.textContent ?? '').trim() === '') next = next.nextSibling;
  if (!next || next.nodeType !== 1) return null;
  const candidate = next as ElementLike;
  const text = (candidate.textContent ?? '').trim();
  if (text.length === 0 || text.length > HEADLINE) return null;
  if (candidate.tagName === 'A') return candidate;
  const links = [...candidate.querySelectorAll('a')];
  return links.length === 1 && (links[0]!.textContent ?? '').trim() === text ? candidate : null;
}

/**
 * Cuts each related-story label inside a paragraph together with the headline it introduces: up to
 * the end of the label's first sentence, or of the paragraph ("… scandal. Read also: Who is the new
 * minister? Opposition parties …" keeps "… scandal. Opposition parties …").
 */
function cutRelatedHeadlines(paragraph: string): string {
  const kept: string[] = [];
  let from = 0;
  INLINE_RELATED.lastIndex = 0;
  for (let label = INLINE_RELATED.exec(paragraph); label; label = INLINE_RELATED.exec(paragraph)) {
    const headlineStart = label.index + label[0].length;
    // Only the next few hundred characters are searched: linear in the paragraph's length.
    const next = NEXT_SENTENCE.exec(paragraph.slice(headlineStart, headlineStart + HEADLINE + 8));
    const end = next ? headlineStart + next.index + next[0].length : paragraph.length;
    if (end - headlineStart > HEADLINE) continue;
    kept.push(paragraph.slice(from, label.index));
    from = end;
    INLINE_RELATED.lastIndex = end;
  }
  if (kept.length === 0) return paragraph;
  kept.push(paragraph.slice(from));
  return kept.join('').trim();
}

/** Sentence ends inside a paragraph, where run-on furniture may start. */
const SENTENCE_BREAK = /[.!?…]["'”»)]?\s+/gu;

/**
 * Cuts furniture run on at a paragraph's end after its last sentence ("… on Monday. Photo: Reuters",
 * "… to be close. Sponsored Content", "… said. Updated 2 hours ago"): the longest such tail, at most
 * {@link SHORT_CREDIT} characters, that does not end like a sentence.
 */
function cutTrailingFurniture(paragraph: string): string {
  // Only the paragraph's end is searched, so that a long paragraph costs no more than a short one.
  const windowStart = Math.max(0, paragraph.length - SHORT_CREDIT - 4);
  for (const boundary of paragraph.slice(windowStart).matchAll(SENTENCE_BREAK)) {
    const start = windowStart + boundary.index + boundary[0].length;
    const tail = paragraph.slice(start);
    if (tail.length > SHORT_CREDIT || tail.length === 0 || SENTENCE_END.test(tail)) continue;
    if (isFurnitureText(tail) || MEDIA_LABEL.test(tail)) return paragraph.slice(0, start).trimEnd();
  }
  return paragraph;
}

/**
 * The post-pass over extracted text (or a feed's own content): paragraphs that are furniture by their
 * wording are dropped; inside the others, a related-story label goes with its headline, and a
 * wire-service trailer, credit or ad label run on at the end is cut off.
 */
function dropFurnitureParagraphs(paragraphs: string[]): string[] {
  return paragraphs
    .filter((paragraph) => !isFurnitureText(paragraph) && !MEDIA_LABEL.test(paragraph))
    .map((paragraph) => cutTrailingFurniture(cutRelatedHeadlines(paragraph).replace(TRAILING_WIRE_CREDIT, '')))
    .filter((paragraph) => paragraph.length > 0);
}

/**
 * Readable text of an HTML fragment (extracted content, or a feed's own content) without furniture
 * or captions: paragraphs separated by a blank line; '' for none. It lives here, not beside the
 * extraction, so the bot's main thread builds articles without loading linkedom and Readability
 * (only the extraction workers need them).
 */
export function contentText(contentHtml: string | null | undefined): string {
  if (!contentHtml) return '';
  return withoutFurnitureParagraphs(htmlToText(contentHtml, true, isCaptionElement));
}

/** An element of extracted content as {@link contentElementText} reads it. */
export interface ContentElement extends TextTreeNode {
  hasAttribute(name: string): boolean;
}

/**
 * {@link contentText} of what an element of a parsed page holds (Readability's article element),
 * read from the tree itself rather than from its serialised HTML: the same text, one parse fewer.
 */
export function contentElementText(content: ContentElement | null | undefined): string {
  if (!content) return '';
  return withoutFurnitureParagraphs(
    treeText(content, true, (name, element) => name === 'figcaption' || element.hasAttribute(CAPTION_MARK)),
  );
}

function withoutFurnitureParagraphs(text: string): string {
  return dropFurnitureParagraphs(text.split('\n\n')).join('\n\n');
}
