"""Word lists for the German news sentence splitter (see :mod:`newskit.segment.rules`).

Every list is linguistic (abbreviations, months, closed-class words), none is taken from a
particular article, so the rules carry over to news text the lists were not written for.
Abbreviations are stored lower-cased and without their final period.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` as a set."""
    return frozenset(text.split())


# Abbreviations that stand before something and practically never end a sentence:
# titles, "Nr. 5", "S. 12", "vgl.", "z.B.", ...
PREFIX_ABBREVIATIONS = words(
    """
    abb abg abk abs abschn abt adm allg anl anm ausg bd bearb bes betr bf bhf bsp bspw bzgl bzw
    ca dipl dr dt ebd ehem eidg einschl engl entspr erg erw ev evang evtl exkl fa fam fn
    frl frz geb gebr gegr gem ges gest ggf ggfs ggü hbf hl hr hrn hrsg inkl incl insb
    ing ital jur kap kath kfm lfd lt mag mind mr mrs ms mwst nachf nachm nr obb orig pfr pkt
    pol prof publ rd red rel resp rk röm russ sog st stellv str tel ukr univ urspr vgl verh
    vorm vors zit ziff zzgl abzgl
    """
)

# Abbreviations that are also ordinary words: not a sentence end only when a number follows.
NUMBER_PREFIXES = frozenset({"art", "no", "vol", "fig", "rn", "az"})

# Abbreviations that usually end an enumeration, and so often a sentence.
FINAL_ABBREVIATIONS = frozenset({"usw", "etc", "usf", "uvm", "u.v.m", "u.s.w", "u.ä", "o.ä", "u.a.m", "ff"})

# Abbreviations that may end a sentence ("im 5. Jh. v. Chr.", "3 Mrd."): a boundary only when a
# word that clearly opens a sentence follows ("Die", "Er", ...).
AMBIGUOUS_ABBREVIATIONS = words(
    """
    mio mrd tsd jh jhd jhdt chr std min sek co sen jr jun e.v a.d a.m n.chr v.chr
    jan feb febr mär mrz apr aug sep sept okt nov dez
    """
)

MONTHS = words(
    """
    januar jänner februar feber märz april mai juni juli august september oktober november dezember
    jan feb febr mär mrz apr jun jul aug sep sept okt nov dez
    """
)

# Capitalized closed-class words that open a sentence (articles, pronouns, prepositions,
# conjunctions, sentence adverbs). After an ambiguous period ("Mio.", "J.", "27.") one of them
# is strong evidence of a new sentence; a capitalized noun is not.
SENTENCE_STARTERS = words(
    """
    Der Die Das Den Dem Des Ein Eine Einen Einem Einer Eines Kein Keine Keinen
    Er Sie Es Wir Ich Ihr Man Du Dies Diese Dieser Dieses Diesen Jene Jeder Jede Jedes Alle Viele
    Sein Seine Seinen Seiner Ihre Ihren Ihrer Unser Unsere Mein Meine Dein Deine
    Im In Am An Auf Aus Bei Beim Mit Nach Seit Vor Von Vom Zu Zum Zur Für Gegen Unter Über Bis
    Ab Durch Ohne Um Trotz Während Wegen Laut Neben Zwischen Hinter Statt Außer
    Und Oder Aber Doch Denn Sondern Dann Danach Damals Daher Darum Deshalb Deswegen Dabei
    Damit Dagegen Dazu Davor Darauf Darüber Dennoch Trotzdem Jedoch Allerdings Außerdem Zudem
    Auch Ebenso Ebenfalls Zugleich Gleichzeitig Derweil Unterdessen Inzwischen Mittlerweile
    Jetzt Nun Heute Gestern Bereits Schon Noch Nicht Nie Immer Erst Zunächst Zuerst Zuletzt
    Später Bisher Bislang Hier Dort Da So Wie Was Wer Wo Wann Warum Wieso Weshalb Woher Wohin
    Als Wenn Ob Weil Obwohl Falls Sobald Nachdem Bevor Seitdem Dass Ja Nein Vielleicht
    Offenbar Demnach Insgesamt Zwar Also Somit Folglich Schließlich Letztlich Tatsächlich
    Sowohl Weder Entweder Nur Mehr Wenige Einige Mehrere Andere Beide
    """
)

# Lower-case words that precede an ordinal ("der 2. Armee", "am 27. November"): after them a
# number with a period is an ordinal even before a capitalized noun.
DETERMINERS = words(
    """
    der die das den dem des ein eine einer einem einen eines am im zum zur vom beim ins
    sein seine seiner seinem seinen seines ihr ihre ihrer ihrem ihren ihres unser unsere unserer
    unserem unseren dessen deren dieser diese dieses diesem diesen jeder jede jedes jedem jeden
    jener jene jenes jenem jenen kein keine keinem keinen keiner
    """
)

# Lower-case words that introduce a count ("stieg auf 12."): a number with a period after them
# ends the sentence when a capitalized word follows.
QUANTITY_WORDS = words("auf rund etwa ungefähr mindestens höchstens knapp fast insgesamt gut")

# Lower-case function words that cannot end a sentence or a headline: a single line break
# right after one of them is a wrapped line, not a boundary.
CONTINUING_WORDS = DETERMINERS | words(
    """
    und oder aber sondern denn sowie bzw als wie dass ob weil wenn da während nachdem obwohl
    in an auf aus bei mit nach seit von vor zu für gegen unter über bis durch ohne um trotz
    wegen laut neben zwischen hinter
    """
)

# Labels that open a metadata line with a date ("date 2026-01-17", "Stand: 12.03.2024 14:05 Uhr").
DATELINE_LABELS = words(
    """
    date datum stand aktualisiert veröffentlicht erstellt zuletzt geändert updated published
    am um vom uhr mez mesz : | - – , /
    """
)

# Words that open an agency or photo credit line ("dpa", "© Name/dpa", "picture alliance/dpa |
# Name", "IMAGO/Ukrinform"): news agencies and photo services, lower-cased.
CREDIT_WORDS = words(
    """
    dpa afp ap reuters epd kna dts sid apa sda ddp ots kyodo xinhua tass ria ukrinform unian
    interfax anadolu efe ansa belga ap-foto keystone imago picture picture-alliance getty
    gettyimages shutterstock istock
    """
)

# Lower-case words a credit line may hold besides agencies ("picture alliance", "imago images").
CREDIT_LOWER_WORDS = words("alliance images pool foto und")

# Labels that open a credit line when followed by a colon ("Foto: Name/dpa", "Quelle: Reuters").
CREDIT_LABELS = words("foto fotos bild bilder quelle credit copyright grafik video")

# Sentence starters that stay capitalized inside a sentence: the polite "Sie" and its forms.
POLITE_PRONOUNS = words("Sie Ihr Ihre Ihren Ihrem Ihrer Ihres Ihnen")

# Prepositions that are also separable verb particles: a headline may end in one ("Russland greift
# Kiew an"), so after a blank line they do not make the next paragraph go on the sentence.
VERB_PARTICLES = words("an auf aus bei mit nach vor zu durch um über unter ab hinter")
