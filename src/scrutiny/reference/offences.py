"""Offence groups of the Home Office police recorded crime tables (project domain notes §2.1)."""

from __future__ import annotations

# Published offence labels -> offence group (domain notes §2.1). Fraud is kept out of every group and the total.
OFFENCE_GROUP = {
    "Homicide": "Violence against the person",
    "Death or serious injury caused by illegal driving": "Violence against the person",
    "Violence with injury": "Violence against the person",
    "Violence without injury": "Violence against the person",
    "Stalking and harassment": "Violence against the person",
    "Sexual offences": "Sexual offences",
    "Robbery": "Robbery",
    "Domestic burglary": "Theft offences",
    "Non-domestic burglary": "Theft offences",
    "Residential burglary": "Theft offences",
    "Non-residential burglary": "Theft offences",
    "Vehicle offences": "Theft offences",
    "Theft from the person": "Theft offences",
    "Bicycle theft": "Theft offences",
    "Shoplifting": "Theft offences",
    "All other theft offences": "Theft offences",
    "Criminal damage and arson": "Criminal damage and arson",
    "Drug offences": "Drug offences",
    "Possession of weapons offences": "Possession of weapons offences",
    "Public order offences": "Public order offences",
    "Miscellaneous crimes against society": "Miscellaneous crimes against society",
    "Fraud offences": None,
    "Action Fraud": None, "CIFAS": None, "UK Finance": None,
}
GROUPS = list(dict.fromkeys(g for g in OFFENCE_GROUP.values() if g))
TOTAL = "Total recorded crime (excluding fraud)"

# data.police.uk street crime types -> the offence group they fall in (data.police.uk "About the data", crime
# categories; project domain notes §1.5). police.uk publishes violence and sexual offences as one category, so its
# groups merge the two Home Office groups; burglary, vehicle crime, shoplifting, theft from the person, bicycle
# theft and other theft are the Home Office "Theft offences"; "Other crime" is miscellaneous crimes against
# society. Anti-social behaviour incidents are not crimes and fraud is not published: both are outside the total.
POLICE_UK_TOTAL = "All crime on police.uk (excluding anti-social behaviour)"
POLICE_UK_GROUP = {
    "Violence and sexual offences": "Violence and sexual offences",
    "Robbery": "Robbery",
    "Burglary": "Theft offences",
    "Vehicle crime": "Theft offences",
    "Shoplifting": "Theft offences",
    "Theft from the person": "Theft offences",
    "Bicycle theft": "Theft offences",
    "Other theft": "Theft offences",
    "Criminal damage and arson": "Criminal damage and arson",
    "Drugs": "Drug offences",
    "Possession of weapons": "Possession of weapons offences",
    "Public order": "Public order offences",
    "Other crime": "Miscellaneous crimes against society",
    "Anti-social behaviour": None,
}
POLICE_UK_GROUPS = list(dict.fromkeys(g for g in POLICE_UK_GROUP.values() if g))
