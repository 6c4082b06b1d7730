/**
 * The words of a reply in one language. `{name}` stands for a template variable (see README,
 * "Replies to the sender"); a `templates` folder can replace any of them per language.
 */
export interface ReplyTexts {
  /** Put before the original subject of a reply about a job. */
  readonly acceptedSubject: string;
  /** Put before the original subject of a reply about a refused message. */
  readonly refusedSubject: string;
  readonly greeting: string;
  readonly acceptedIntro: string;
  readonly documentQueued: string;
  readonly documentPrinted: string;
  readonly documentRefused: string;
  /** Why an attachment was left out: not a type that prints. */
  readonly notPrintable: string;
  readonly refusedIntro: string;
  /** Why the message was refused, by reason code; `other` for a code without its own text. */
  readonly reasons: Readonly<Record<string, string>>;
  /** What the sender can do about it, by reason code; `other` for a code without its own text. */
  readonly whatToDo: Readonly<Record<string, string>>;
  readonly footer: string;
}

const en: ReplyTexts = {
  acceptedSubject: "Print job received: ",
  refusedSubject: "Not printed: ",
  greeting: "Hello,",
  acceptedIntro: 'your email "{subject}" to {mailbox} ({date}) became a print job:',
  documentQueued: "{fileName}: queued for printing",
  documentPrinted: "{fileName}: printed on {printer}",
  documentRefused: "{fileName}: not printed, {reason}",
  notPrintable: "this file type cannot be printed ({contentType})",
  refusedIntro: 'your email "{subject}" to {mailbox} ({date}) was not printed.',
  reasons: {
    "no-printable-part": "It has nothing that can be printed: no attachment of a printable type and no text.",
    "sender-not-allowed": "Your address {sender} may not send print jobs to this mailbox.",
    "too-large": "It is too large.",
    "too-many-attachments": "It has more attachments than can be printed from one email.",
    "not-authenticated": "The receiving mail server could not confirm that it really comes from {sender}.",
    "unreadable": "It could not be read.",
    other: "It could not be processed.",
  },
  whatToDo: {
    "no-printable-part": "Attach the documents as PDF, image, text or Office files and send the email again.",
    "sender-not-allowed": "Ask your IT department to allow your address, or send from your work address.",
    "too-large": "Send the documents in several smaller emails.",
    "too-many-attachments": "Send the documents in several emails.",
    "not-authenticated":
      "Send it again from your usual mail account; if this keeps happening, tell your IT department.",
    other: "Send the email again; if it fails again, tell your IT department.",
  },
  footer: "This is an automatic reply from the print service; replies to it are not read.",
};

const de: ReplyTexts = {
  acceptedSubject: "Druckauftrag erhalten: ",
  refusedSubject: "Nicht gedruckt: ",
  greeting: "Guten Tag,",
  acceptedIntro: 'Ihre E-Mail "{subject}" an {mailbox} ({date}) wurde zum Druckauftrag:',
  documentQueued: "{fileName}: zum Drucken eingereiht",
  documentPrinted: "{fileName}: gedruckt auf {printer}",
  documentRefused: "{fileName}: nicht gedruckt, {reason}",
  notPrintable: "dieser Dateityp kann nicht gedruckt werden ({contentType})",
  refusedIntro: 'Ihre E-Mail "{subject}" an {mailbox} ({date}) wurde nicht gedruckt.',
  reasons: {
    "no-printable-part": "Sie enthält nichts Druckbares: keinen Anhang eines druckbaren Typs und keinen Text.",
    "sender-not-allowed": "Ihre Adresse {sender} darf keine Druckaufträge an dieses Postfach senden.",
    "too-large": "Sie ist zu groß.",
    "too-many-attachments": "Sie hat mehr Anhänge, als aus einer E-Mail gedruckt werden können.",
    "not-authenticated": "Der empfangende Mailserver konnte nicht bestätigen, dass sie wirklich von {sender} stammt.",
    "unreadable": "Sie konnte nicht gelesen werden.",
    other: "Sie konnte nicht verarbeitet werden.",
  },
  whatToDo: {
    "no-printable-part":
      "Hängen Sie die Dokumente als PDF-, Bild-, Text- oder Office-Dateien an und senden Sie die E-Mail erneut.",
    "sender-not-allowed":
      "Bitten Sie Ihre IT-Abteilung, Ihre Adresse freizugeben, oder senden Sie von Ihrer dienstlichen Adresse.",
    "too-large": "Senden Sie die Dokumente auf mehrere kleinere E-Mails verteilt.",
    "too-many-attachments": "Senden Sie die Dokumente auf mehrere E-Mails verteilt.",
    "not-authenticated":
      "Senden Sie sie erneut von Ihrem gewohnten E-Mail-Konto; wenn das wieder geschieht, melden Sie es Ihrer IT-Abteilung.",
    other: "Senden Sie die E-Mail erneut; schlägt es wieder fehl, melden Sie es Ihrer IT-Abteilung.",
  },
  footer: "Dies ist eine automatische Antwort des Druckdienstes; Antworten darauf werden nicht gelesen.",
};

const cs: ReplyTexts = {
  acceptedSubject: "Tisková úloha přijata: ",
  refusedSubject: "Nevytištěno: ",
  greeting: "Dobrý den,",
  acceptedIntro: 'váš e-mail "{subject}" pro {mailbox} ({date}) se stal tiskovou úlohou:',
  documentQueued: "{fileName}: zařazeno k tisku",
  documentPrinted: "{fileName}: vytištěno na {printer}",
  documentRefused: "{fileName}: nevytištěno, {reason}",
  notPrintable: "tento typ souboru nelze vytisknout ({contentType})",
  refusedIntro: 'váš e-mail "{subject}" pro {mailbox} ({date}) nebyl vytištěn.',
  reasons: {
    "no-printable-part": "Neobsahuje nic, co lze vytisknout: žádnou přílohu tisknutelného typu ani text.",
    "sender-not-allowed": "Vaše adresa {sender} nesmí do této schránky posílat tiskové úlohy.",
    "too-large": "Je příliš velký.",
    "too-many-attachments": "Má více příloh, než lze z jednoho e-mailu vytisknout.",
    "not-authenticated": "Přijímající poštovní server nemohl potvrdit, že skutečně pochází od {sender}.",
    "unreadable": "Nepodařilo se jej přečíst.",
    other: "Nepodařilo se jej zpracovat.",
  },
  whatToDo: {
    "no-printable-part": "Přiložte dokumenty jako PDF, obrázky, text nebo soubory Office a pošlete e-mail znovu.",
    "sender-not-allowed": "Požádejte oddělení IT o povolení své adresy, nebo pošlete e-mail ze své pracovní adresy.",
    "too-large": "Pošlete dokumenty v několika menších e-mailech.",
    "too-many-attachments": "Pošlete dokumenty v několika e-mailech.",
    "not-authenticated":
      "Pošlete jej znovu ze svého obvyklého e-mailového účtu; pokud se to opakuje, informujte oddělení IT.",
    other: "Pošlete e-mail znovu; pokud se to opět nezdaří, informujte oddělení IT.",
  },
  footer: "Toto je automatická odpověď tiskové služby; odpovědi na ni nikdo nečte.",
};

/** The languages built in. */
export const BUILT_IN_TEXTS: Readonly<Record<string, ReplyTexts>> = { en, de, cs };
